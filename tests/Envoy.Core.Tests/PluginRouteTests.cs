using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class PluginRouteTests
{
    private static StateFlow TwoStates(List<string> log, params StateFlowPlugin[] plugins) => new(
        [
            new State("A") { OnState = Handlers.Log(log, "A.OnState"), Router = Router.Next("B") },
            new State("B") { OnState = Handlers.Log(log, "B.OnState"), Router = Router.End },
        ],
        new StateFlowOptions { Plugins = plugins });

    [Fact]
    public async Task OnRoute_ReturningAnotherState_OverridesTheRouter()
    {
        var log = new List<string>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Log(log, "A"), Router = Router.Next("B") },
                new State("B") { OnState = Handlers.Log(log, "B"), Router = Router.End },
                new State("C") { OnState = Handlers.Log(log, "C"), Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("detour") { OnRoute = async (ctx, next) => next == "B" ? "C" : next }] });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A", "C"], log);
        Assert.Equal("C", ctx.State);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task OnRoute_ReturningTheProposedState_MeansNoOpinionAndKeepsTheMap()
    {
        var proposals = new List<string?>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = async ctx => ctx.Output(1), Router = Router.Next("B", (o, _) => JsonValue.Create(o!.GetValue<int>() + 100)) },
                new State("B") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("observer")
                    {
                        OnRoute = async (ctx, next) =>
                        {
                            proposals.Add(next);
                            return next;
                        },
                    },
                ],
            });

        var ctx = await flow.RunAsync();

        Assert.Equal(["B", null], proposals);
        Assert.Equal(101, ctx.Output<int>());
        Assert.Equal("B", ctx.State);
    }

    [Fact]
    public async Task OnRoute_ReceivesNullOnTheLastStep()
    {
        var proposals = new List<string?>();
        var observer = new StateFlowPlugin("observer")
        {
            OnRoute = async (ctx, next) =>
            {
                proposals.Add($"{ctx.State}:{next ?? "null"}");
                return next;
            },
        };
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop },
                new State("Last") { OnState = Handlers.Noop },
            ],
            new StateFlowOptions { Plugins = [observer] });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A:Last", "Last:null"], proposals);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task OnRoute_ReturningNull_FinishesTheFlowWithoutError()
    {
        var log = new List<string>();
        var flow = TwoStates(log, new StateFlowPlugin("stop") { OnRoute = async (ctx, next) => null });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A.OnState"], log);
        Assert.Equal("A", ctx.State);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task OnRoute_ReturningAStateAfterTheLastStep_ContinuesTheFlow()
    {
        var flow = new StateFlow(
            [
                new State("A") { OnState = async ctx => ctx.Set("runs", ctx.Get<int>("runs") + 1), Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("again") { OnRoute = async (ctx, next) => next ?? (ctx.Get<int>("runs") < 2 ? "A" : null) }] });

        var ctx = await flow.RunAsync();

        Assert.Equal(2, ctx.Get<int>("runs"));
        Assert.Equal(2, ctx.Step);
    }

    [Fact]
    public async Task OnRoute_UnknownState_FinishesWithErrorNamingThePlugin()
    {
        var log = new List<string>();
        var flow = TwoStates(log, new StateFlowPlugin("typo") { OnRoute = async (ctx, next) => "Nowhere" });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A.OnState"], log);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Contains("'typo'", ctx.Error);
        Assert.Contains("'Nowhere'", ctx.Error);
    }

    [Fact]
    public async Task OnRoute_EachPluginSeesThePreviousPluginsChoice()
    {
        var seen = new List<string?>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop, Router = Router.Next("B") },
                new State("B") { OnState = Handlers.Noop, Router = Router.End },
                new State("C") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("first") { OnRoute = async (ctx, next) => ctx.State == "A" ? "C" : next },
                    new StateFlowPlugin("second")
                    {
                        DependsOn = ["first"],
                        OnRoute = async (ctx, next) =>
                        {
                            seen.Add(next);
                            return next;
                        },
                    },
                ],
            });

        var ctx = await flow.RunAsync();

        Assert.Equal(["C", null], seen);
        Assert.Equal("C", ctx.State);
    }

    [Fact]
    public async Task OnRoute_OverridingToAnotherRoute_UsesThatRoutesMap()
    {
        var flow = new StateFlow(
            [
                new State("A")
                {
                    OnState = async ctx => ctx.Output("x"),
                    Router = Router.Routes(
                        new Dictionary<string, Route>
                        {
                            ["B"] = new() { Map = (o, _) => JsonValue.Create("mapped for B") },
                            ["C"] = new() { Map = (o, _) => JsonValue.Create("mapped for C") },
                        },
                        async ctx => "B"),
                },
                new State("B") { OnState = Handlers.Noop, Router = Router.End },
                new State("C") { OnState = Handlers.Noop, Router = Router.End },
                new State("D") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("p") { OnRoute = async (ctx, next) => next == "B" ? ctx.Get<string>("target") ?? "C" : next }] });

        var toC = await flow.RunAsync();
        var toD = await flow.ResumeAsync(flow.NewContext().Set("target", "D"));

        Assert.Equal(("C", "mapped for C"), (toC.State, toC.Output<string>()));
        Assert.Equal(("D", "x"), (toD.State, toD.Output<string>()));
    }

    [Fact]
    public async Task OnRoute_OverridingAnUnknownRoute_ClearsTheError()
    {
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("B"), async ctx => "Typo") },
                new State("B") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("fix") { OnRoute = async (ctx, next) => ctx.State == "A" ? "B" : next }] });

        var ctx = await flow.RunAsync();

        Assert.Equal("B", ctx.State);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task OnRoute_NoOpinionOnAnUnknownRoute_KeepsTheError()
    {
        var proposals = new List<string?>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("B"), async ctx => "Typo") },
                new State("B") { OnState = Handlers.Noop, Router = Router.End },
            ],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("observer")
                    {
                        OnRoute = async (ctx, next) =>
                        {
                            proposals.Add(next);
                            return next;
                        },
                    },
                ],
            });

        var ctx = await flow.RunAsync();

        Assert.Equal([null], proposals);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Contains("'Typo'", ctx.Error);
    }

    [Fact]
    public async Task OnRoute_FailingTheContext_EndsWithErrorInThisState()
    {
        var log = new List<string>();
        var flow = TwoStates(log, new StateFlowPlugin("guard") { OnRoute = async (ctx, next) => { ctx.Fail("guard says no"); return next; } });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A.OnState"], log);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("guard says no", ctx.Error);
        Assert.Equal("A", ctx.State);
    }

    [Theory]
    [InlineData("OnEnter")]
    [InlineData("OnExit")]
    [InlineData("OnRoute")]
    public async Task PluginException_FailsTheStepLikeAHandler(string hook)
    {
        var log = new List<string>();
        var boom = new InvalidOperationException("plugin " + hook + " broke");
        var plugin = hook switch
        {
            "OnEnter" => new StateFlowPlugin("bad") { OnEnter = ctx => throw boom },
            "OnExit" => new StateFlowPlugin("bad") { OnExit = ctx => throw boom },
            _ => new StateFlowPlugin("bad") { OnRoute = (ctx, next) => throw boom },
        };
        var flow = TwoStates(log, plugin);
        var start = flow.NewContext("in");
        var before = start.Serialize();

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.StepAsync(start));

        Assert.Same(boom, ex.InnerException);
        Assert.Equal(("A", 1), (ex.State, ex.Step));
        Assert.Contains("'bad'", ex.Message);
        Assert.Contains(hook, ex.Message);
        Assert.Contains("plugin " + hook + " broke", ex.Message);
        Assert.Equal(before, start.Serialize());
        await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync());
    }
}
