namespace Envoy.Core.Tests;

public class DescribeTests
{
    [Fact]
    public void Describe_NextRouters_GiveOneUndescribedRouteEach_AndEndIsFinal()
    {
        var flow = new StateFlow(
        [
            new State("Start") { OnState = Handlers.Noop, Router = Router.Next("Middle") },
            new State("Middle") { OnState = Handlers.Noop, Router = Router.Next("End") },
            new State("End") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var description = flow.Describe();

        Assert.Equal("Start", description.StartState);
        Assert.Equal(["Start", "Middle", "End"], description.States.Select(s => s.Name));
        Assert.Equal([new RouteDescription("Middle", null)], description.States[0].Routes);
        Assert.Equal([new RouteDescription("End", null)], description.States[1].Routes);
        Assert.Empty(description.States[2].Routes);
        Assert.False(description.States[0].IsFinal);
        Assert.True(description.States[2].IsFinal);
        Assert.Empty(description.Plugins);
    }

    [Fact]
    public void Describe_RoutesRouter_GivesEveryRouteWithItsDescriptionAndDefault()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Description = "decides",
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new() { Description = "route to B" },
                        ["C"] = new() { Description = "route to C", Default = true },
                        ["D"] = new(),
                    },
                    async ctx => "B"),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("C") { OnState = Handlers.Noop, Router = Router.End },
            new State("D") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var a = flow.Describe().States[0];

        Assert.Equal("decides", a.Description);
        Assert.Equal(
            [new RouteDescription("B", "route to B"), new RouteDescription("C", "route to C", IsDefault: true), new RouteDescription("D", null)],
            a.Routes);
    }

    [Fact]
    public void Describe_NoRouter_LeadsToTheNextDeclaredState_AndTheLastIsFinal()
    {
        var flow = new StateFlow(
        [
            new State("One") { OnState = Handlers.Noop },
            new State("Two") { OnState = Handlers.Noop },
        ]);

        var description = flow.Describe();

        Assert.Equal([new RouteDescription("Two", null)], description.States[0].Routes);
        Assert.True(description.States[1].IsFinal);
    }

    [Fact]
    public void Describe_StartStateOption_AndPlugins_AreReported()
    {
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Noop, Router = Router.End },
                new State("B") { OnState = Handlers.Noop, Router = Router.Next("A") },
            ],
            new StateFlowOptions { StartState = "B", Plugins = [new StateFlowPlugin("first"), new StateFlowPlugin("second") { DependsOn = ["first"] }] });

        var description = flow.Describe();

        Assert.Equal("B", description.StartState);
        Assert.Equal(["first", "second"], description.Plugins);
    }

    [Fact]
    public void Describe_EmptyFlow_HasNoStartStateAndNoStates()
    {
        var description = new StateFlow([]).Describe();

        Assert.Null(description.StartState);
        Assert.Empty(description.States);
    }

    [Fact]
    public void ToMermaid_DrawsExactlyTheDescribedRoutes()
    {
        var flow = new StateFlow(
        [
            new State("Work") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("Work", "Check"), async ctx => null) },
            new State("Check") { OnState = Handlers.Noop, Router = Router.Next("Work") },
        ]);

        var edges = flow.ToMermaid().Split('\n').Count(line => line.Contains("-->", StringComparison.Ordinal));

        Assert.Equal(flow.Describe().States.Sum(s => s.Routes.Count), edges);
    }
}
