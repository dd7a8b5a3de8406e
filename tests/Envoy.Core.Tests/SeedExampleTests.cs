namespace Envoy.Core.Tests;

/// <summary>The seed document's examples, rewritten in C# as flows.md shows them.</summary>
public class SeedExampleTests
{
    private static StateFlow FirstFlow() => new(
    [
        new State("Start")
        {
            OnState = async ctx => ctx.Output("Hello!"),
            Router = Router.Next("Middle"),
        },
        new State("Middle")
        {
            OnState = async ctx => ctx.Output(ctx.Output<string>() + " Middle!"),
            Router = Router.Next("End"),
        },
        new State("End")
        {
            OnState = async ctx => ctx.Output(ctx.Output<string>() + " End!"),
            Router = Router.End,
        },
    ]);

    private static StateFlow DynamicRoutingFlow(List<string> visited) => new(
    [
        new State("A")
        {
            OnState = async ctx =>
            {
                visited.Add("A");
                ctx.Output(ctx.Input<double>());
                return ctx;
            },
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["B"] = new() { Description = "route to B" },
                    ["C"] = new() { Description = "route to C" },
                },
                async ctx => ctx.Output<double>() > 0.5 ? "B" : "C"),
        },
        new State("B")
        {
            OnState = async ctx =>
            {
                visited.Add("B");
                return ctx.Output("went to B");
            },
            Router = Router.End,
        },
        new State("C")
        {
            OnState = async ctx =>
            {
                visited.Add("C");
                return ctx.Output("went to C");
            },
            Router = Router.End,
        },
    ]);

    private static StateFlow ConditionalBranchingFlow() => new(
    [
        new State("Check")
        {
            OnState = async ctx => ctx.Output(ctx.Input<int>()),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Big"] = new() { Map = (o, _) => o },
                    ["Small"] = new() { Map = (o, _) => o },
                },
                async ctx => ctx.Output<int>() > 10 ? "Big" : "Small"),
        },
        new State("Big")
        {
            OnState = async ctx => ctx.Set("seenInput", ctx.Input<int>()).Output("Big number!"),
            Router = Router.End,
        },
        new State("Small")
        {
            OnState = async ctx => ctx.Set("seenInput", ctx.Input<int>()).Output("Small number!"),
            Router = Router.End,
        },
    ]);

    [Fact]
    public async Task FirstFlow_RunAsync_OutputsHelloMiddleEnd()
    {
        var ctx = await FirstFlow().RunAsync();

        Assert.Equal("Hello! Middle! End!", ctx.Output<string>());
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
        Assert.Equal("End", ctx.State);
        Assert.Equal(3, ctx.Step);
    }

    [Fact]
    public void FirstFlow_StartsAtFirstDeclaredState()
    {
        var flow = FirstFlow();

        var ctx = flow.NewContext();

        Assert.Equal("Start", flow.StartState);
        Assert.Equal("Start", ctx.State);
        Assert.Equal(1, ctx.Step);
        Assert.Null(ctx.Done);
    }

    [Fact]
    public async Task FirstFlow_SteppedOneAtATime_VisitsEachStateInOrder()
    {
        var flow = FirstFlow();
        var ctx = flow.NewContext();
        var seen = new List<(string, int, string?)>();

        while (ctx.Done is null)
        {
            ctx = await flow.StepAsync(ctx);
            seen.Add((ctx.State, ctx.Step, ctx.Output<string>()));
        }

        Assert.Equal(
            [
                ("Middle", 2, "Hello!"),
                ("End", 3, "Hello! Middle!"),
                ("End", 3, "Hello! Middle! End!"),
            ],
            seen);
    }

    [Theory]
    [InlineData(0.9, "B", "went to B")]
    [InlineData(0.51, "B", "went to B")]
    [InlineData(0.5, "C", "went to C")]
    [InlineData(0.1, "C", "went to C")]
    public async Task DynamicRouting_OnRoutePicksTheNextState(double value, string expectedState, string expectedOutput)
    {
        var visited = new List<string>();

        var ctx = await DynamicRoutingFlow(visited).RunAsync(value);

        Assert.Equal(["A", expectedState], visited);
        Assert.Equal(expectedState, ctx.State);
        Assert.Equal(expectedOutput, ctx.Output<string>());
        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Null(ctx.Error);
    }

    [Theory]
    [InlineData(42, "Big", "Big number!")]
    [InlineData(11, "Big", "Big number!")]
    [InlineData(10, "Small", "Small number!")]
    [InlineData(3, "Small", "Small number!")]
    public async Task ConditionalBranching_RoutesBigOrSmallWithMaps(int input, string expectedState, string expectedOutput)
    {
        var ctx = await ConditionalBranchingFlow().RunAsync(input);

        Assert.Equal(expectedState, ctx.State);
        Assert.Equal(expectedOutput, ctx.Output<string>());
        Assert.Equal(input, ctx.Get<int>("seenInput"));
        Assert.Equal(2, ctx.Step);
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task SeedHandlerExample_OnEnterAndOnExitData_Persists()
    {
        var flow = new StateFlow(
        [
            new State("Example")
            {
                OnEnter = async ctx =>
                {
                    ctx.Set("entered", true);
                    return ctx;
                },
                OnState = async ctx => ctx,
                OnExit = async ctx =>
                {
                    ctx.Set("exited", true);
                    return ctx;
                },
                Router = Router.End,
            },
        ]);

        var ctx = await flow.RunAsync();

        Assert.True(ctx.Get<bool>("entered"));
        Assert.True(ctx.Get<bool>("exited"));
    }

    [Fact]
    public async Task SeedContextExample_SetsDataAndOutput()
    {
        var flow = new StateFlow(
        [
            new State("Work")
            {
                OnState = async ctx =>
                {
                    var input = ctx.Input<string>();
                    ctx.Set("foo", 42);
                    ctx.Output("Result: " + input);
                    return ctx;
                },
            },
        ]);

        var ctx = await flow.RunAsync("abc");

        Assert.Equal("Result: abc", ctx.Output<string>());
        Assert.Equal(42, ctx.Get<int>("foo"));
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }
}
