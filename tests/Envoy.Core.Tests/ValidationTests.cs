namespace Envoy.Core.Tests;

/// <summary>Construction validates the flow, and each error names the offender.</summary>
public class ValidationTests
{
    [Fact]
    public void DuplicateState_IsRefusedNamingIt()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop },
            new State("Twice") { OnState = Handlers.Noop },
            new State("Twice") { OnState = Handlers.Noop },
        ]));

        Assert.Contains("'Twice'", ex.Message);
    }

    [Fact]
    public void StateNames_AreCaseSensitive()
    {
        var flow = new StateFlow(
        [
            new State("a") { OnState = Handlers.Noop },
            new State("A") { OnState = Handlers.Noop },
        ]);

        Assert.Equal(2, flow.Nodes.Count);
        Assert.NotSame(flow.Node("a"), flow.Node("A"));
    }

    [Fact]
    public void NextToUnknownState_IsRefusedNamingStateAndTarget()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop, Router = Router.Next("Ghost") },
        ]));

        Assert.Contains("'A'", ex.Message);
        Assert.Contains("'Ghost'", ex.Message);
    }

    [Fact]
    public void RouteToUnknownState_IsRefusedNamingStateAndTarget()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
        [
            new State("A") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("B", "Phantom"), async ctx => "B") },
            new State("B") { OnState = Handlers.Noop },
        ]));

        Assert.Contains("'A'", ex.Message);
        Assert.Contains("'Phantom'", ex.Message);
    }

    [Fact]
    public void UnknownStartState_IsRefusedNamingIt()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions { StartState = "start" }));

        Assert.Contains("'start'", ex.Message);
    }

    [Fact]
    public void MissingOnState_IsRefusedNamingTheState()
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
        [
            new State("Fine") { OnState = Handlers.Noop },
            new State("Hollow") { OnEnter = Handlers.Noop },
        ]));

        Assert.Contains("'Hollow'", ex.Message);
        Assert.Contains("OnState", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void MaxStepsBelowOne_IsRefused(int maxSteps)
    {
        var ex = Assert.Throws<StateFlowValidationException>(() => new StateFlow(
            [new State("A") { OnState = Handlers.Noop }],
            new StateFlowOptions { MaxSteps = maxSteps }));

        Assert.Contains("MaxSteps", ex.Message);
        Assert.Contains(maxSteps.ToString(), ex.Message);
    }

    [Fact]
    public void NullState_IsRefused()
    {
        Assert.Throws<StateFlowValidationException>(() => new StateFlow([new State("A") { OnState = Handlers.Noop }, null!]));
        Assert.Throws<ArgumentNullException>(() => new StateFlow(null!));
    }

    [Fact]
    public void StateName_MustNotBeEmpty()
    {
        Assert.ThrowsAny<ArgumentException>(() => new State(""));
        Assert.ThrowsAny<ArgumentException>(() => new State("  "));
        Assert.ThrowsAny<ArgumentException>(() => new State(null!));
    }

    [Fact]
    public void ValidationErrors_AreEnvoyExceptions()
    {
        var ex = Assert.ThrowsAny<EnvoyException>(() => new StateFlow([new State("A") { OnState = Handlers.Noop, Router = Router.Next("B") }]));

        Assert.IsType<StateFlowValidationException>(ex);
    }

    [Fact]
    public void EmptyFlow_Constructs()
    {
        var flow = new StateFlow([]);

        Assert.Empty(flow.Nodes);
        Assert.Null(flow.StartState);
        Assert.Null(flow.Node("A"));
        Assert.Equal("graph TD\n", flow.ToMermaid());
    }

    [Fact]
    public async Task EmptyFlow_RunAsync_FaultsWithAClearValidationError()
    {
        var flow = new StateFlow([]);

        var ex = await Assert.ThrowsAsync<StateFlowValidationException>(() => Handlers.FaultsItsTask(() => flow.RunAsync()));

        Assert.Contains("no states", ex.Message);
        Assert.Throws<StateFlowValidationException>(() => flow.NewContext());
    }

    [Fact]
    public async Task StartState_Option_ChoosesWhereRunsStart()
    {
        var visited = new List<string>();
        var flow = new StateFlow(
            [
                new State("A") { OnState = Handlers.Log(visited, "A"), Router = Router.End },
                new State("B") { OnState = Handlers.Log(visited, "B"), Router = Router.End },
            ],
            new StateFlowOptions { StartState = "B" });

        var ctx = await flow.RunAsync();

        Assert.Equal(["B"], visited);
        Assert.Equal("B", flow.NewContext().State);
        Assert.Equal("B", ctx.State);
    }

    [Fact]
    public void Options_AreCopiedWhenTheFlowIsBuilt()
    {
        var child = new StateFlow([new State("C") { OnState = Handlers.Noop }]);
        var flows = new Dictionary<string, StateFlow> { ["child"] = child };
        var options = new StateFlowOptions { MaxSteps = 3, Flows = flows };
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }], options);

        options.MaxSteps = 100;
        flows["other"] = child;

        Assert.Equal(3, flow.MaxSteps);
        Assert.Equal(["child"], flow.Flows!.Keys);
    }

    [Fact]
    public void NodesAndNode_ExposeTheStatesInDeclarationOrder()
    {
        var a = new State("A") { OnState = Handlers.Noop };
        var b = new State("B") { OnState = Handlers.Noop };
        var flow = new StateFlow([a, b]);

        Assert.Equal([a, b], flow.Nodes);
        Assert.Same(b, flow.Node("B"));
        Assert.Null(flow.Node("C"));
        Assert.Null(flow.Node("b"));
        Assert.Null(flow.Node(null!));
    }
}
