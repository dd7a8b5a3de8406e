namespace FlowBasics;

/// <summary>Prints each example flow as a Mermaid graph (paste it into any Mermaid viewer).</summary>
public static class MermaidExample
{
    public static void Run()
    {
        Console.WriteLine(FirstFlow.Build().ToMermaid());
        Console.WriteLine(DynamicRouting.Build().ToMermaid());
        Console.WriteLine(ConditionalBranching.Build().ToMermaid());
    }
}
