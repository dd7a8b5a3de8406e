using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class RoutingTests
{
    [Fact]
    public async Task Next_GoesToTheNamedStateNotTheDeclaredOne()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Log(visited, "A"), Router = Router.Next("C") },
            new State("B") { OnState = Handlers.Log(visited, "B"), Router = Router.End },
            new State("C") { OnState = Handlers.Log(visited, "C"), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A", "C"], visited);
        Assert.Equal("C", ctx.State);
    }

    [Fact]
    public async Task Next_WithMap_TransformsOutputIntoNextInput()
    {
        JsonNode? mapSawOutput = null;
        string? mapSawState = null;
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output(20),
                Router = Router.Next("B", map: (output, ctx) =>
                {
                    mapSawOutput = output?.DeepClone();
                    mapSawState = ctx.State;
                    return new JsonObject { ["doubled"] = output!.GetValue<int>() * 2 };
                }),
            },
            new State("B")
            {
                OnState = async ctx => ctx.Set("input", ctx.Input()),
                Router = Router.End,
            },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(20, mapSawOutput?.GetValue<int>());
        Assert.Equal("A", mapSawState);
        Assert.Equal(40, ctx.Get<int>("input.doubled"));
        Assert.Equal(40, ctx.Output()?["doubled"]?.GetValue<int>());
    }

    [Fact]
    public async Task Next_MapReturningNull_GivesNextStateNullInput()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output("x"), Router = Router.Next("B", (_, _) => null) },
            new State("B") { OnState = async ctx => ctx.Set("inputWasNull", ctx.Input() is null), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.True(ctx.Get<bool>("inputWasNull"));
        Assert.Null(ctx.Output());
    }

    [Fact]
    public async Task End_FinishesAfterThisStateEvenWhenMoreStatesFollow()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => { visited.Add("A"); return ctx.Output("done"); }, Router = Router.End },
            new State("B") { OnState = Handlers.Log(visited, "B") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A"], visited);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
        Assert.Equal("A", ctx.State);
        Assert.Equal(1, ctx.Step);
        Assert.Equal("done", ctx.Output<string>());
    }

    [Fact]
    public void End_HasNoTargets()
    {
        Assert.Empty(Router.End.Targets);
        Assert.Same(Router.End, Router.End);
    }

    [Fact]
    public async Task NoRouter_GoesToTheNextDeclaredState()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Log(visited, "A") },
            new State("B") { OnState = Handlers.Log(visited, "B") },
            new State("C") { OnState = Handlers.Log(visited, "C") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["A", "B", "C"], visited);
        Assert.Equal("C", ctx.State);
        Assert.Equal(3, ctx.Step);
    }

    [Fact]
    public async Task NoRouter_OnLastState_FinishesWithoutError()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop, Router = Router.Next("Last") },
            new State("Last") { OnState = async ctx => ctx.Output("end") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
        Assert.Equal("Last", ctx.State);
        Assert.Equal("end", ctx.Output<string>());
    }

    [Fact]
    public async Task NoRouter_InTheMiddle_FollowsDeclarationNotStartState()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Log(visited, "A") },
                new State("B") { OnState = Handlers.Log(visited, "B") },
                new State("C") { OnState = Handlers.Log(visited, "C") },
            ],
            new StateFlowOptions { StartState = "B" });

        var ctx = await flow.RunAsync();

        Assert.Equal(["B", "C"], visited);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task Loop_BackToAnEarlierState_RunsUntilRouterExits()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("Count")
            {
                OnState = async ctx =>
                {
                    visited.Add("Count");
                    return ctx.Set("n", ctx.Get<int>("n") + 1);
                },
                Router = Router.Next("Check"),
            },
            new State("Check")
            {
                OnState = Handlers.Log(visited, "Check"),
                Router = Router.Routes(Handlers.Routes("Count", "Done"), async ctx => ctx.Get<int>("n") < 3 ? "Count" : "Done"),
            },
            new State("Done") { OnState = Handlers.Log(visited, "Done"), Router = Router.End },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["Count", "Check", "Count", "Check", "Count", "Check", "Done"], visited);
        Assert.Equal(3, ctx.Get<int>("n"));
        Assert.Equal(7, ctx.Step);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task Loop_ToItself_IsAllowed()
    {
        var flow = new StateFlow(
        [
            new State("Self")
            {
                OnState = async ctx => ctx.Output(ctx.Input<int>() + 1),
                Router = Router.Routes(Handlers.Routes("Self"), async ctx => ctx.Output<int>() < 5 ? "Self" : null),
            },
        ]);

        var ctx = await flow.RunAsync(0);

        Assert.Equal(5, ctx.Output<int>());
        Assert.Equal(5, ctx.Step);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task Loop_NextToItself_StopsAtMaxSteps()
    {
        var flow = new StateFlow(
            [new State("Self") { OnState = async ctx => ctx.Output(ctx.Input<int>() + 1), Router = Router.Next("Self") }],
            new StateFlowOptions { MaxSteps = 4 });

        var ctx = await flow.RunAsync(0);

        Assert.Equal(4, ctx.Output<int>());
        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
    }

    [Fact]
    public void RouterFactories_RejectMissingArguments()
    {
        Assert.ThrowsAny<ArgumentException>(() => Router.Next(""));
        Assert.ThrowsAny<ArgumentException>(() => Router.Next(null!));
        Assert.Throws<ArgumentNullException>(() => Router.Routes(null!, async ctx => null));
        Assert.Throws<ArgumentNullException>(() => Router.Routes(Handlers.Routes("B"), null!));
    }
}
