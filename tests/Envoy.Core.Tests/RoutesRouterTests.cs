using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class RoutesRouterTests
{
    [Fact]
    public async Task Routes_ChosenRoute_IsTakenWithItsMap()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output(7),
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new() { Map = (o, _) => JsonValue.Create(o!.GetValue<int>() * 10) },
                        ["C"] = new() { Map = (o, _) => JsonValue.Create(-1) },
                    },
                    async ctx => "B"),
            },
            new State("B") { OnState = async ctx => ctx.Set("in", ctx.Input<int>()), Router = Router.End },
            new State("C") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal("B", ctx.State);
        Assert.Equal(70, ctx.Get<int>("in"));
        Assert.Equal(70, ctx.Output<int>());
    }

    [Fact]
    public async Task Routes_RouteWithoutMap_PassesOutputUnchanged()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new Point(1, 2)), Router = Router.Routes(Handlers.Routes("B"), async ctx => "B") },
            new State("B") { OnState = async ctx => ctx.Set("in", ctx.Input<Point>()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(new Point(1, 2), ctx.Get<Point>("in"));
    }

    [Fact]
    public async Task Routes_OnRouteSeesOutputDataAndState()
    {
        string? seen = null;
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output("out").Set("$tmp", "eph").Set("keep", 1),
                Router = Router.Routes(Handlers.Routes("B"), async ctx =>
                {
                    seen = $"{ctx.State}:{ctx.Step}:{ctx.Output<string>()}:{ctx.Get<string>("$tmp")}:{ctx.Get<int>("keep")}";
                    return "B";
                }),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        await flow.RunAsync();

        Assert.Equal("A:1:out:eph:1", seen);
    }

    [Fact]
    public async Task Routes_OnRouteReturningNull_FinishesWithoutError()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Log(visited, "A"), Router = Router.Routes(Handlers.Routes("B"), async ctx => null) },
            new State("B") { OnState = Handlers.Log(visited, "B") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A"], visited);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
        Assert.Equal("A", ctx.State);
    }

    [Fact]
    public async Task Routes_UnknownNameWithoutDefault_FinishesWithError()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => { visited.Add("A"); return ctx.Output("kept"); }, Router = Router.Routes(Handlers.Routes("B"), async ctx => "Bee") },
            new State("B") { OnState = Handlers.Log(visited, "B") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A"], visited);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.NotNull(ctx.Error);
        Assert.Contains("'Bee'", ctx.Error);
        Assert.Contains("'A'", ctx.Error);
        Assert.Equal("A", ctx.State);
        Assert.Equal("kept", ctx.Output<string>());
    }

    [Fact]
    public async Task Routes_StateOfTheFlowNotAmongRoutes_FinishesWithError()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("B"), async ctx => "C") },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("C") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("A", ctx.State);
        Assert.Contains("'C'", ctx.Error);
    }

    [Fact]
    public async Task Routes_UnknownName_TakesTheDefaultRouteWithItsMap()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output(3),
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new() { Description = "normal" },
                        ["Fallback"] = new() { Description = "anything else", Default = true, Map = (o, _) => JsonValue.Create("mapped " + o) },
                    },
                    async ctx => "Typo"),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("Fallback") { OnState = async ctx => ctx.Set("in", ctx.Input<string>()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal("Fallback", ctx.State);
        Assert.Equal("mapped 3", ctx.Get<string>("in"));
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task Routes_KnownName_IsTakenEvenWhenAnotherRouteIsDefault()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(
                    new Dictionary<string, Route> { ["B"] = new(), ["Fallback"] = new() { Default = true } },
                    async ctx => "B"),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("Fallback") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal("B", ctx.State);
    }

    [Fact]
    public async Task Routes_NullWithDefaultRoute_StillFinishes()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(new Dictionary<string, Route> { ["Fallback"] = new() { Default = true } }, async ctx => null),
            },
            new State("Fallback") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal("A", ctx.State);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public void Routes_TwoDefaultRoutes_AreRefused()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => Router.Routes(
            new Dictionary<string, Route> { ["B"] = new() { Default = true }, ["C"] = new() { Default = true } },
            async ctx => "B"));

        Assert.Contains("B", ex.Message);
        Assert.Contains("C", ex.Message);
    }

    [Fact]
    public void Routes_TableIsCopied_LaterChangesToTheDictionaryDoNotLeakIn()
    {
        var routes = Handlers.Routes("B");
        var router = Router.Routes(routes, async ctx => "B");

        routes["C"] = new Route();

        Assert.Equal(["B"], router.Targets.Select(t => t.Key));
    }

    [Fact]
    public async Task Fail_InOnRoute_EndsWithErrorWithoutMovingOn()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Log(visited, "A"),
                Router = Router.Routes(Handlers.Routes("B"), async ctx =>
                {
                    ctx.Fail("router refused");
                    return "B";
                }),
            },
            new State("B") { OnState = Handlers.Log(visited, "B"), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A"], visited);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("router refused", ctx.Error);
        Assert.Equal("A", ctx.State);
        Assert.Equal(1, ctx.Step);
    }

    [Fact]
    public async Task Fail_InOnRouteReturningNull_EndsWithErrorNotFinished()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(Handlers.Routes("A"), async ctx =>
                {
                    ctx.Fail("nothing to do");
                    return null;
                }),
            },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("nothing to do", ctx.Error);
    }

    [Fact]
    public async Task Fail_InOutputMap_EndsWithErrorWithoutMovingOn()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output(1),
                Router = Router.Next("B", (o, ctx) =>
                {
                    ctx.Fail("cannot map");
                    return o;
                }),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("cannot map", ctx.Error);
        Assert.Equal("A", ctx.State);
        Assert.Equal(1, ctx.Step);
    }
}
