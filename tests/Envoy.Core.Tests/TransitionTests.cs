using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class TransitionTests
{
    [Fact]
    public async Task Transition_NextInputIsTheOutputOfTheFinishedState()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output("from A") },
            new State("B") { OnState = async ctx => ctx.Set("in", ctx.Input<string>()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync("initial");

        Assert.Equal("from A", ctx.Get<string>("in"));
    }

    [Fact]
    public async Task Transition_NextInputIsTheMappedOutput()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output("a"), Router = Router.Next("B", (o, _) => JsonValue.Create(o + "-mapped")) },
            new State("B") { OnState = async ctx => ctx.Set("in", ctx.Input<string>()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal("a-mapped", ctx.Get<string>("in"));
    }

    [Fact]
    public async Task Transition_OutputStartsAsTheNewInput()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new Point(1, 2)) },
            new State("B") { OnState = async ctx => ctx.Set("startOutput", ctx.Output<Point>()), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(new Point(1, 2), ctx.Get<Point>("startOutput"));
    }

    [Fact]
    public async Task Transition_StateSettingNoOutput_PassesTheValueAlong()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(5) },
            new State("B") { OnState = async ctx => ctx.Set("b", true) },
            new State("C") { OnState = async ctx => ctx.Set("in", ctx.Input<int>()) },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(5, ctx.Get<int>("in"));
        Assert.Equal(5, ctx.Output<int>());
    }

    [Fact]
    public async Task Transition_FirstStateSettingNoOutput_PassesTheRunInputAlong()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop },
            new State("B") { OnState = Handlers.Noop },
        ]);

        var ctx = await flow.RunAsync(new Point(8, 9));

        Assert.Equal(new Point(8, 9), ctx.Output<Point>());
        Assert.Equal(new Point(8, 9), ctx.Input<Point>());
    }

    [Fact]
    public async Task Transition_StepIncreasesByOne()
    {
        var steps = new List<int>();
        Func<StateContext, Task<StateContext>> record = async ctx =>
        {
            steps.Add(ctx.Step);
            return ctx;
        };
        var flow = new StateFlow(
        [
            new State("A") { OnState = record },
            new State("B") { OnState = record },
            new State("C") { OnState = record },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal([1, 2, 3], steps);
        Assert.Equal(3, ctx.Step);
    }

    [Fact]
    public async Task Transition_DropsDollarKeysAndKeepsOtherData()
    {
        var seenInB = new Dictionary<string, bool>();
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnEnter = async ctx => ctx.Set("$fromEnter", 1),
                OnState = async ctx => ctx.Set("$tmp", "x").Set("$nested.key", 2).Set("keep", "y").Set("obj.$inner", 3),
                OnExit = async ctx => ctx.Set("exitSawEphemeral", ctx.Has("$fromEnter") && ctx.Has("$tmp")),
            },
            new State("B")
            {
                OnState = async ctx =>
                {
                    foreach (var key in new[] { "$fromEnter", "$tmp", "$nested", "keep", "obj.$inner", "exitSawEphemeral" })
                    {
                        seenInB[key] = ctx.Has(key);
                    }

                    return ctx;
                },
                Router = Router.End,
            },
        ]);

        var ctx = await flow.RunAsync();

        Assert.False(seenInB["$fromEnter"]);
        Assert.False(seenInB["$tmp"]);
        Assert.False(seenInB["$nested"]);
        Assert.True(seenInB["keep"]);
        Assert.True(seenInB["obj.$inner"]);
        Assert.True(seenInB["exitSawEphemeral"]);
        Assert.True(ctx.Get<bool>("exitSawEphemeral"));
        Assert.Equal("y", ctx.Get<string>("keep"));
        Assert.Equal(3, ctx.Get<int>("obj.$inner"));
    }

    [Fact]
    public async Task Transition_DataPersistsForTheWholeRun()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Set("count", 1) },
            new State("B") { OnState = async ctx => ctx.Set("count", ctx.Get<int>("count") + 1).Set("b", "B") },
            new State("C") { OnState = async ctx => ctx.Set("count", ctx.Get<int>("count") + 1) },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(3, ctx.Get<int>("count"));
        Assert.Equal("B", ctx.Get<string>("b"));
    }

    [Fact]
    public async Task Transition_DropsTheWaitsOfThePreviousState()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.WaitFor(new WaitFor("w", "webhook")) },
            new State("B") { OnState = async ctx => ctx.Set("waitsInB", ctx.Waits.Count), Router = Router.End },
        ]);
        var ctx = await flow.StepAsync(flow.NewContext());
        ctx.Resolve("w", 1);

        ctx = await flow.StepAsync(ctx);

        Assert.Equal("B", ctx.State);
        Assert.Empty(ctx.Waits);
        Assert.Null(ctx.GetWait("w"));
        ctx = await flow.StepAsync(ctx);
        Assert.Equal(0, ctx.Get<int>("waitsInB"));
    }

    [Fact]
    public async Task FinalContext_KeepsOutputAndData()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Set("a", 1) },
            new State("B") { OnState = async ctx => ctx.Output(new Point(4, 5)).Set("b", 2).Set("$last", "eph"), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(new Point(4, 5), ctx.Output<Point>());
        Assert.Equal(1, ctx.Get<int>("a"));
        Assert.Equal(2, ctx.Get<int>("b"));
        Assert.Equal("eph", ctx.Get<string>("$last"));
    }

    [Fact]
    public async Task Transition_NextOutputIsACopy_ChangingItLeavesTheInputAlone()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new JsonObject { ["a"] = 1 }) },
            new State("B") { OnState = async ctx => ctx.Output("b", 2), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1}"""), ctx.Input()));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":1,"b":2}"""), ctx.Output()));
    }

    [Fact]
    public async Task Transition_MapReturningADataNode_CopiesIt()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Set("shared", new JsonObject { ["v"] = 1 }),
                Router = Router.Next("B", (_, ctx) => ctx.Get<JsonNode>("shared")),
            },
            new State("B") { OnState = async ctx => ctx.Output("v", 99), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(99, ctx.Output()?["v"]?.GetValue<int>());
        Assert.Equal(1, ctx.Input()?["v"]?.GetValue<int>());
        Assert.Equal(1, ctx.Get<int>("shared.v"));
    }

    [Fact]
    public async Task Transition_MapSeesTheFinishedStatesContext()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output(2).Set("$factor", 21),
                Router = Router.Next("B", (o, ctx) => JsonValue.Create(o!.GetValue<int>() * ctx.Get<int>("$factor"))),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(42, ctx.Output<int>());
        Assert.False(ctx.Has("$factor"));
    }
}
