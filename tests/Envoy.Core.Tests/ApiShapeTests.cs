using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

/// <summary>The C# shapes api-shapes.md fixes: if this file compiles, the shapes hold; the asserts check they behave.</summary>
public class ApiShapeTests
{
    [Fact]
    public async Task Handlers_ExpressionBodiedMutatorsAndBlockBodies_Compile()
    {
        Func<StateContext, Task<StateContext>> setter = async ctx => ctx.Set("k", 1);
        Func<StateContext, Task<StateContext>> block = async ctx =>
        {
            ctx.Set("block", true);
            return ctx;
        };
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnEnter = block,
                OnState = setter,
                OnExit = async ctx => ctx.Output("a.b", 2),
                Router = Router.Next("B", map: (output, ctx) => output),
            },
            new State("B") { OnState = async ctx => ctx.Output(ctx.Input()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(1, ctx.Get<int>("k"));
        Assert.True(ctx.Get<bool>("block"));
        Assert.Equal(2, ctx.Output()?["a"]?["b"]?.GetValue<int>());
    }

    [Fact]
    public void Mutators_ReturnTheSameContext()
    {
        var ctx = new StateContext("S");

        Assert.Same(ctx, ctx.Set("k", 1));
        Assert.Same(ctx, ctx.Output("v"));
        Assert.Same(ctx, ctx.Output("a.b", 1));
        Assert.Same(ctx, ctx.WaitFor(new WaitFor("w1", "webhook"), new WaitFor("w2", "webhook")));
        Assert.Same(ctx, ctx.Resolve("w1", "ok"));
        Assert.Same(ctx, ctx.Reject("w2", "no"));
        Assert.Same(ctx, ctx.Fail("bad"));
    }

    [Fact]
    public void SpawnAndEscalate_ReturnTheWaitId()
    {
        var ctx = new StateContext("S");

        string spawnId = ctx.Spawn("child", new { n = 1 });
        string escalationId = ctx.Escalate("alice", "ok?", [EscalationInput.Approve("ok", "OK")]);

        Assert.Equal([spawnId, escalationId], ctx.WaitingFor);
        Assert.NotEqual(spawnId, escalationId);
        Assert.Equal(WaitTypes.Spawn, ctx.GetWait(spawnId)?.Type);
        Assert.Equal(WaitTypes.Escalation, ctx.GetWait(escalationId)?.Type);
    }

    [Fact]
    public void Route_HasParameterlessConstructorAndInitProperties()
    {
        Func<JsonNode?, StateContext, JsonNode?> map = (output, ctx) => output;

        var route = new Route { Description = "to B", Map = map, Default = true };

        Assert.Equal("to B", route.Description);
        Assert.Same(map, route.Map);
        Assert.True(route.Default);
        var empty = new Route();
        Assert.Null(empty.Description);
        Assert.Null(empty.Map);
        Assert.False(empty.Default);
    }

    [Fact]
    public void Routes_AcceptsReadOnlyDictionaryAndOnRouteReturningNullableName()
    {
        IReadOnlyDictionary<string, Route> routes = new Dictionary<string, Route> { ["B"] = new() { Description = "d" } };
        Func<StateContext, Task<string?>> onRoute = async ctx => null;

        var router = Router.Routes(routes, onRoute);

        var target = Assert.Single(router.Targets);
        Assert.Equal("B", target.Key);
        Assert.Equal("d", target.Value?.Description);
    }

    [Fact]
    public void Plugin_DependsOnTakesCollectionExpression()
    {
        Func<StateContext, string?, Task<string?>> onRoute = async (ctx, next) => next;

        var plugin = new StateFlowPlugin("p")
        {
            DependsOn = ["q"],
            OnEnter = async ctx => ctx,
            OnExit = async ctx => ctx.Set("x", 1),
            OnRoute = onRoute,
        };

        Assert.Equal("p", plugin.Name);
        Assert.Equal(["q"], plugin.DependsOn);
        Assert.Same(onRoute, plugin.OnRoute);
        Assert.Empty(new StateFlowPlugin("r").DependsOn);
    }

    [Fact]
    public void WaitRecords_HaveTheDocumentedShape()
    {
        var waitFor = new WaitFor("id", "webhook");
        var withParams = new WaitFor("id", "webhook", new JsonObject { ["url"] = "x" });
        var wait = new Wait("id", "webhook", null, WaitStatus.Pending, null, null);

        Assert.Null(waitFor.Params);
        Assert.Equal("x", withParams.Params?["url"]?.GetValue<string>());
        Assert.Equal(waitFor, new WaitFor("id", "webhook"));
        Assert.Equal(("id", "webhook", WaitStatus.Pending), (wait.Id, wait.Type, wait.Status));
        Assert.Null(wait.Output);
        Assert.Null(wait.Error);
        Assert.True(wait.IsPending);
    }

    [Fact]
    public void Context_WaitsAndGetWait_HaveDocumentedTypes()
    {
        var ctx = new StateContext("S").WaitFor(new WaitFor("w", "webhook"));

        IReadOnlyList<Wait> waits = ctx.Waits;
        Wait? known = ctx.GetWait("w");
        Wait? unknown = ctx.GetWait("nope");

        Assert.Single(waits);
        Assert.NotNull(known);
        Assert.Null(unknown);
    }

    [Fact]
    public void Options_HaveDocumentedDefaultsAndTypes()
    {
        var child = new StateFlow([new State("C") { OnState = async ctx => ctx }]);
        var options = new StateFlowOptions();

        Assert.Null(options.StartState);
        Assert.Equal(25, options.MaxSteps);
        Assert.Equal(StateFlowOptions.DefaultMaxSteps, options.MaxSteps);
        Assert.Empty(options.Plugins);
        Assert.Null(options.Flows);
        Assert.Null(options.FlowResolver);

        IReadOnlyDictionary<string, StateFlow> flows = new Dictionary<string, StateFlow> { ["child"] = child };
        Func<string, StateFlow?> resolver = name => null;
        options.Flows = flows;
        options.FlowResolver = resolver;
        options.StartState = "C";
        options.MaxSteps = 3;
        var flow = new StateFlow([new State("C") { OnState = async ctx => ctx }], options);

        Assert.Same(child, flow.Flows?["child"]);
        Assert.Same(resolver, flow.FlowResolver);
        Assert.Equal("C", flow.StartState);
        Assert.Equal(3, flow.MaxSteps);
    }

    [Fact]
    public void Flow_NodesAndNode_HaveDocumentedTypes()
    {
        var a = new State("A") { OnState = async ctx => ctx };
        var flow = new StateFlow([a]);

        IReadOnlyList<State> nodes = flow.Nodes;
        State? node = flow.Node("A");

        Assert.Same(a, Assert.Single(nodes));
        Assert.Same(a, node);
    }

    [Fact]
    public async Task RunAsync_InputAndCancellationTokenAreOptional()
    {
        var flow = new StateFlow([new State("A") { OnState = async ctx => ctx }]);
        using var cts = new CancellationTokenSource();

        var noArgs = await flow.RunAsync();
        var withInput = await flow.RunAsync(5);
        var withToken = await flow.RunAsync(cancellationToken: cts.Token);
        var both = await flow.RunAsync("x", cts.Token);

        Assert.Null(noArgs.Input());
        Assert.Equal(5, withInput.Input<int>());
        Assert.Equal(DoneReason.Finished, withToken.Done);
        Assert.Equal("x", both.Output<string>());
    }

    [Fact]
    public void EscalationInputs_HaveIdLabelKindAndOptions()
    {
        var options = new Dictionary<string, string> { ["a"] = "A", ["b"] = "B" };

        var select = EscalationInput.Select("reason", "Reason", options);
        var comment = EscalationInput.Comment("note", "Note");
        var approve = EscalationInput.Approve("ok", "Approve?");

        Assert.Equal(("reason", "Reason", EscalationInputKind.Select), (select.Id, select.Label, select.Kind));
        Assert.Equal(options, select.Options);
        Assert.Equal(("note", "Note", EscalationInputKind.Comment), (comment.Id, comment.Label, comment.Kind));
        Assert.Null(comment.Options);
        Assert.Equal(("ok", "Approve?", EscalationInputKind.Approve), (approve.Id, approve.Label, approve.Kind));
        Assert.Null(approve.Options);
    }

    [Fact]
    public void Exceptions_AreEnvoyExceptionsCarryingData()
    {
        Assert.IsAssignableFrom<EnvoyException>(new StateFlowValidationException("x"));
        Assert.IsAssignableFrom<EnvoyException>(new StateFlowException("S", 2, "x", null));
        Assert.IsAssignableFrom<EnvoyException>(new ContextValueException("k", "x", null));
        Assert.IsAssignableFrom<EnvoyException>(new WaitNotFoundException("job", "w"));
        Assert.IsAssignableFrom<EnvoyException>(new WaitAlreadyResolvedException("job", "w"));

        var notFound = new WaitNotFoundException("job", "w");
        var resolved = new WaitAlreadyResolvedException("job", "w");
        Assert.Equal(("job", "w"), (notFound.JobId, notFound.WaitId));
        Assert.Equal(("job", "w"), (resolved.JobId, resolved.WaitId));
        Assert.Contains("'w'", notFound.Message);
        Assert.Contains("'job'", resolved.Message);
    }
}
