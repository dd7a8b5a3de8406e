namespace Envoy.Core.Tests;

public class RunTests
{
    private static StateFlow Forever(int? maxSteps, List<int> ran)
    {
        var states = new[]
        {
            new State("Loop")
            {
                OnState = async ctx =>
                {
                    ran.Add(ctx.Step);
                    return ctx.Output(ctx.Step);
                },
                Router = Router.Next("Loop"),
            },
        };
        return maxSteps is { } max ? new StateFlow(states, new StateFlowOptions { MaxSteps = max }) : new StateFlow(states);
    }

    [Fact]
    public async Task MaxSteps_TheStepThatReachesItRunsThenTheRunEnds()
    {
        var ran = new List<int>();

        var ctx = await Forever(3, ran).RunAsync();

        Assert.Equal([1, 2, 3], ran);
        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
        Assert.Equal(3, ctx.Step);
        Assert.Equal(3, ctx.Output<int>());
        Assert.NotNull(ctx.Error);
        Assert.Contains("MaxSteps", ctx.Error);
        Assert.Contains("3", ctx.Error);
    }

    [Fact]
    public async Task MaxSteps_DefaultsToTwentyFive()
    {
        var ran = new List<int>();

        var ctx = await Forever(null, ran).RunAsync();

        Assert.Equal(25, ran.Count);
        Assert.Equal(25, ctx.Step);
        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
    }

    [Fact]
    public async Task MaxSteps_One_RunsOnlyTheFirstState()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Log(visited, "A") },
                new State("B") { OnState = Handlers.Log(visited, "B") },
            ],
            new StateFlowOptions { MaxSteps = 1 });

        var ctx = await flow.RunAsync();

        Assert.Equal(["A"], visited);
        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
        Assert.Equal("A", ctx.State);
        Assert.Contains("'B'", ctx.Error);
    }

    [Fact]
    public async Task MaxSteps_FlowFinishingOnTheLastAllowedStep_IsFinished()
    {
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop },
                new State("B") { OnState = Handlers.Noop },
            ],
            new StateFlowOptions { MaxSteps = 2 });

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Fact]
    public async Task MaxSteps_SteppingByHand_EndsAtTheSameStep()
    {
        var flow = Forever(2, []);
        var ctx = flow.NewContext();

        ctx = await flow.StepAsync(ctx);
        Assert.Null(ctx.Done);
        ctx = await flow.StepAsync(ctx);

        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
        await Assert.ThrowsAsync<InvalidOperationException>(() => flow.StepAsync(ctx));
    }

    [Fact]
    public async Task Fail_EndsTheRunWithErrorAndRunAsyncReturns()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Set("a", 1) },
            new State("B")
            {
                OnState = async ctx =>
                {
                    visited.Add("B");
                    return ctx.Output("partial").Fail("cannot continue");
                },
            },
            new State("C") { OnState = Handlers.Log(visited, "C") },
        ]);

        var ctx = await flow.RunAsync();

        Assert.Equal(["B"], visited);
        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Equal("cannot continue", ctx.Error);
        Assert.Equal("B", ctx.State);
        Assert.Equal("partial", ctx.Output<string>());
        Assert.Equal(1, ctx.Get<int>("a"));
    }

    [Fact]
    public async Task RunAsync_InputIsTheFirstStatesInput()
    {
        var flow = new StateFlow([new State("A") { OnState = async ctx => ctx.Set("in", ctx.Input<Point>()) }]);

        var ctx = await flow.RunAsync(new Point(7, 8));

        Assert.Equal(new Point(7, 8), ctx.Get<Point>("in"));
        Assert.Null(ctx.JobId);
    }

    [Fact]
    public async Task RunAsync_InputThatIsNotJson_FaultsTheTask()
    {
        var cyclic = new SelfReferencing();
        cyclic.Self = cyclic;
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        await Assert.ThrowsAsync<ContextValueException>(() => Handlers.FaultsItsTask(() => flow.RunAsync(cyclic)));
    }

    [Fact]
    public async Task ResumeAsync_OfADoneContext_ReturnsItUnchanged()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);
        var done = await flow.RunAsync();

        var again = await flow.ResumeAsync(done);

        Assert.Equal(done.Serialize(), again.Serialize());
    }

    [Fact]
    public async Task RunAsync_CancelledToken_ThrowsOperationCanceled()
    {
        var visited = new List<string>();
        var flow = new StateFlow([new State("A") { OnState = Handlers.Log(visited, "A") }]);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flow.RunAsync(cancellationToken: cts.Token));
        Assert.Empty(visited);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringAStep_StopsBeforeTheNextStep()
    {
        var visited = new List<string>();
        using var cts = new CancellationTokenSource();
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    visited.Add("A");
                    await cts.CancelAsync();
                    return ctx;
                },
            },
            new State("B") { OnState = Handlers.Log(visited, "B") },
        ]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flow.RunAsync(cancellationToken: cts.Token));
        Assert.Equal(["A"], visited);
    }

    [Fact]
    public async Task ResumeAsync_WaitResolvedByHand_Continues()
    {
        var flow = new StateFlow(
        [
            new State("Hook")
            {
                OnState = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook")),
                OnExit = async ctx => ctx.Output(ctx.GetWait("hook")?.Output?.DeepClone()),
            },
            new State("Done") { OnState = Handlers.Noop, Router = Router.End },
        ]);
        var waiting = await flow.StepAsync(flow.NewContext());
        waiting.Resolve("hook", "paid");

        var ctx = await flow.ResumeAsync(waiting);

        Assert.Equal("paid", ctx.Output<string>());
        Assert.Equal("Done", ctx.State);
    }
}
