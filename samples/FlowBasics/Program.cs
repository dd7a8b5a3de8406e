using FlowBasics;

// dotnet run --project samples/FlowBasics            runs every example
// dotnet run --project samples/FlowBasics -- first   runs one (first, routing, branching, plugins, mermaid, docs)
var examples = new (string Name, Func<Task> Run)[]
{
    ("first", FirstFlow.RunAsync),
    ("routing", DynamicRouting.RunAsync),
    ("branching", ConditionalBranching.RunAsync),
    ("plugins", PluginExample.RunAsync),
    ("mermaid", () => { MermaidExample.Run(); return Task.CompletedTask; }),
    ("docs", DocSnippets.RunAllAsync),
};

var selected = args.Length == 0 ? examples : examples.Where(e => args.Contains(e.Name)).ToArray();
if (selected.Length == 0)
{
    Console.Error.WriteLine($"Unknown example; choose from: {string.Join(", ", examples.Select(e => e.Name))}.");
    return 1;
}

foreach (var (name, run) in selected)
{
    if (selected.Length > 1)
    {
        Console.WriteLine($"== {name} ==");
    }

    await run();
}

return 0;
