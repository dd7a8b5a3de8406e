namespace Envoy.Core.Tests;

public class MermaidTests
{
    [Fact]
    public void ToMermaid_StartsWithGraphTD()
    {
        var flow = new StateFlow([new State("A") { OnState = Handlers.Noop }]);

        Assert.StartsWith("graph TD\n", flow.ToMermaid());
    }

    [Fact]
    public void ToMermaid_NextRouter_IsAnUnlabeledEdge()
    {
        var flow = new StateFlow(
        [
            new State("Start") { OnState = Handlers.Noop, Router = Router.Next("Middle") },
            new State("Middle") { OnState = Handlers.Noop, Router = Router.Next("End") },
            new State("End") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        Assert.Equal("graph TD\n    Start --> Middle\n    Middle --> End\n    End\n", flow.ToMermaid());
    }

    [Fact]
    public void ToMermaid_DescribedRoutes_AreLabeledEdges()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new() { Description = "route to B" },
                        ["C"] = new() { Description = "route to C" },
                        ["D"] = new(),
                    },
                    async ctx => "B"),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("C") { OnState = Handlers.Noop, Router = Router.End },
            new State("D") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var mermaid = flow.ToMermaid();

        Assert.Contains("    A -->|route to B| B\n", mermaid);
        Assert.Contains("    A -->|route to C| C\n", mermaid);
        Assert.Contains("    A --> D\n", mermaid);
        Assert.Equal(
            "graph TD\n    A -->|route to B| B\n    A -->|route to C| C\n    A --> D\n    B\n    C\n    D\n",
            mermaid);
    }

    [Fact]
    public void ToMermaid_NoRouter_DrawsAnEdgeToTheNextDeclaredStateAndNoneFromTheLast()
    {
        var flow = new StateFlow(
        [
            new State("One") { OnState = Handlers.Noop },
            new State("Two") { OnState = Handlers.Noop },
        ]);

        Assert.Equal("graph TD\n    One --> Two\n    Two\n", flow.ToMermaid());
    }

    [Fact]
    public void ToMermaid_Loops_AreDrawn()
    {
        var flow = new StateFlow(
        [
            new State("Work") { OnState = Handlers.Noop, Router = Router.Routes(Handlers.Routes("Work", "Check"), async ctx => null) },
            new State("Check") { OnState = Handlers.Noop, Router = Router.Next("Work") },
        ]);

        var mermaid = flow.ToMermaid();

        Assert.Contains("    Work --> Work\n", mermaid);
        Assert.Contains("    Work --> Check\n", mermaid);
        Assert.Contains("    Check --> Work\n", mermaid);
    }

    [Fact]
    public void ToMermaid_NamesThatAreNotPlainIds_GetIdsAndQuotedLabels()
    {
        var flow = new StateFlow(
        [
            new State("ask user") { OnState = Handlers.Noop, Router = Router.Next("end") },
            new State("end") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        var mermaid = flow.ToMermaid();

        Assert.Contains("    s0[\"ask user\"]\n", mermaid);
        Assert.Contains("    s1[\"end\"]\n", mermaid);
        Assert.Contains("    s0 --> s1\n", mermaid);
        Assert.DoesNotContain("--> end", mermaid);
    }

    [Fact]
    public void ToMermaid_LabelsWithMermaidSyntax_AreEscaped()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(new Dictionary<string, Route> { ["B"] = new() { Description = "yes|no \"maybe\"\nnext" } }, async ctx => "B"),
            },
            new State("B") { OnState = Handlers.Noop },
        ]);

        var mermaid = flow.ToMermaid();

        Assert.Contains("    A -->|yes#124;no #quot;maybe#quot; next| B\n", mermaid);
    }

    [Fact]
    public void ToMermaid_SeedDynamicRoutingExample()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = Handlers.Noop,
                Router = Router.Routes(
                    new Dictionary<string, Route> { ["B"] = new() { Description = "route to B" }, ["C"] = new() { Description = "route to C" } },
                    async ctx => "B"),
            },
            new State("B") { OnState = Handlers.Noop, Router = Router.End },
            new State("C") { OnState = Handlers.Noop, Router = Router.End },
        ]);

        Assert.Equal("graph TD\n    A -->|route to B| B\n    A -->|route to C| C\n    B\n    C\n", flow.ToMermaid());
    }
}
