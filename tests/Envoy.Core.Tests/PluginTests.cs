namespace Envoy.Core.Tests;

public class PluginTests
{
    private static StateFlow TwoStates(List<string> log, params StateFlowPlugin[] plugins) => new(
        [
            new State("A") { OnState = Handlers.Log(log, "A.OnState"), Router = Router.Next("B") },
            new State("B") { OnState = Handlers.Log(log, "B.OnState"), Router = Router.End },
        ],
        new StateFlowOptions { Plugins = plugins });

    [Fact]
    public async Task DependsOn_RunsDependenciesFirst()
    {
        var log = new List<string>();
        var flow = new StateFlow(
            [new State("A") { OnState = Handlers.Noop, Router = Router.End }],
            new StateFlowOptions
            {
                Plugins =
                [
                    Handlers.LoggingPlugin(log, "metrics", "tracing"),
                    Handlers.LoggingPlugin(log, "tracing", "logging"),
                    Handlers.LoggingPlugin(log, "logging"),
                ],
            });

        await flow.RunAsync();

        Assert.Equal(["logging", "tracing", "metrics"], flow.Plugins.Select(p => p.Name));
        Assert.Equal(
            [
                "logging.OnEnter(A)", "tracing.OnEnter(A)", "metrics.OnEnter(A)",
                "logging.OnExit(A)", "tracing.OnExit(A)", "metrics.OnExit(A)",
                "logging.OnRoute(A->null)", "tracing.OnRoute(A->null)", "metrics.OnRoute(A->null)",
            ],
            log);
    }

    [Fact]
    public void DependsOn_IndependentPluginsKeepDeclarationOrder()
    {
        var flow = new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions
            {
                Plugins = [new StateFlowPlugin("z"), new StateFlowPlugin("b") { DependsOn = ["c"] }, new StateFlowPlugin("a"), new StateFlowPlugin("c")],
            });

        var order = flow.Plugins.Select(p => p.Name).ToList();

        Assert.Equal(4, order.Count);
        Assert.True(order.IndexOf("c") < order.IndexOf("b"));
        Assert.True(order.IndexOf("z") < order.IndexOf("a"));
        Assert.Equal("z", order[0]);
    }

    [Fact]
    public void DependsOn_DiamondRunsEachPluginOnce()
    {
        var flow = new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("top") { DependsOn = ["left", "right"] },
                    new StateFlowPlugin("left") { DependsOn = ["base"] },
                    new StateFlowPlugin("right") { DependsOn = ["base"] },
                    new StateFlowPlugin("base"),
                ],
            });

        Assert.Equal(["base", "left", "right", "top"], flow.Plugins.Select(p => p.Name));
    }

    [Fact]
    public void DependsOn_MissingDependency_IsAValidationErrorNamingBoth()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("audit") { DependsOn = ["clock"] }] }));

        Assert.Contains("'audit'", ex.Message);
        Assert.Contains("'clock'", ex.Message);
    }

    [Theory]
    [InlineData("a -> b -> a")]
    [InlineData("a -> a")]
    [InlineData("a -> b -> c -> a")]
    public void DependsOn_Cycle_IsAValidationErrorNamingTheCycle(string cycle)
    {
        var names = cycle.Split(" -> ");
        var plugins = new List<StateFlowPlugin>();
        for (var i = 0; i < names.Length - 1; i++)
        {
            plugins.Add(new StateFlowPlugin(names[i]) { DependsOn = [names[i + 1]] });
        }

        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions { Plugins = plugins }));

        Assert.Contains(cycle, ex.Message);
    }

    [Fact]
    public void DependsOn_CycleBehindAnotherPlugin_NamesOnlyTheCycle()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("entry") { DependsOn = ["a"] },
                    new StateFlowPlugin("a") { DependsOn = ["b"] },
                    new StateFlowPlugin("b") { DependsOn = ["a"] },
                ],
            }));

        Assert.Contains("a -> b -> a", ex.Message);
        Assert.DoesNotContain("entry ->", ex.Message);
    }

    [Fact]
    public void Plugins_DuplicateName_IsAValidationError()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions { Plugins = [new StateFlowPlugin("p"), new StateFlowPlugin("p")] }));

        Assert.Contains("'p'", ex.Message);
    }

    [Fact]
    public void Plugin_EmptyName_IsRefused()
    {
        Assert.ThrowsAny<ArgumentException>(() => new StateFlowPlugin(""));
        Assert.ThrowsAny<ArgumentException>(() => new StateFlowPlugin(null!));
    }

    [Fact]
    public void AddPlugin_MissingDependency_IsRefusedAndChangesNothing()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }], new StateFlowOptions { Plugins = [new StateFlowPlugin("a")] });

        var ex = Assert.Throws<StateFlowValidationException>(() => flow.AddPlugin(new StateFlowPlugin("b") { DependsOn = ["a", "c"] }));

        Assert.Contains("'b'", ex.Message);
        Assert.Contains("'c'", ex.Message);
        Assert.Equal(["a"], flow.Plugins.Select(p => p.Name));
    }

    [Fact]
    public void AddPlugin_DuplicateName_IsRefused()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }], new StateFlowOptions { Plugins = [new StateFlowPlugin("a")] });

        Assert.Throws<StateFlowValidationException>(() => flow.AddPlugin(new StateFlowPlugin("a")));
        Assert.Single(flow.Plugins);
    }

    [Fact]
    public async Task AddPlugin_WithPresentDependencies_RunsAfterTheExistingOnes()
    {
        var log = new List<string>();
        var flow = TwoStates(log, Handlers.LoggingPlugin(log, "first"));

        var returned = flow.AddPlugin(Handlers.LoggingPlugin(log, "second", "first"));
        await flow.RunAsync();

        Assert.Same(flow, returned);
        Assert.Equal(["first", "second"], flow.Plugins.Select(p => p.Name));
        Assert.Equal(["first.OnEnter(A)", "second.OnEnter(A)", "A.OnState"], log.Take(3));
    }

    [Fact]
    public void AddPlugin_Null_IsRefused()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        Assert.Throws<ArgumentNullException>(() => flow.AddPlugin(null!));
    }

    [Fact]
    public async Task OnEnterAndOnExit_CanChangeTheContextTheStateSees()
    {
        var flow = new StateFlow(
            [
                new State("A")
                {
                    OnState = async ctx => ctx.Set("stateSawStamp", ctx.Get<string>("$stamp")),
                    OnExit = async ctx => ctx.Set("exitSawAudit", ctx.Get<bool>("audit")),
                    Router = Router.End,
                },
            ],
            new StateFlowOptions
            {
                Plugins = [new StateFlowPlugin("stamp") { OnEnter = async ctx => ctx.Set("$stamp", "in " + ctx.State), OnExit = async ctx => ctx.Set("audit", true) }],
            });

        var ctx = await flow.RunAsync();

        Assert.Equal("in A", ctx.Get<string>("stateSawStamp"));
        Assert.True(ctx.Get<bool>("exitSawAudit"));
    }
}
