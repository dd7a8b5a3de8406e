namespace FlowBasics;

public static partial class DocSnippets
{
    /// <summary>Runs every snippet of docs/flows.md in the order of the guide.</summary>
    public static async Task RunAllAsync()
    {
        var snippets = new (string Name, Func<Task> Run)[]
        {
            (nameof(DeclarationOrderAsync), DeclarationOrderAsync),
            (nameof(HandlerOrderAsync), HandlerOrderAsync),
            (nameof(NextWithMapAsync), NextWithMapAsync),
            (nameof(TriageAsync), TriageAsync),
            (nameof(LoopAsync), LoopAsync),
            (nameof(TransitionAsync), TransitionAsync),
            (nameof(ContextValuesAsync), ContextValuesAsync),
            (nameof(WaitAndResumeAsync), WaitAndResumeAsync),
            (nameof(EscalationAsync), EscalationAsync),
            (nameof(PluginRouteAsync), PluginRouteAsync),
            (nameof(PluginCycle), () => { PluginCycle(); return Task.CompletedTask; }),
            (nameof(ChildrenAsync), ChildrenAsync),
            (nameof(HandlerErrorAsync), HandlerErrorAsync),
            (nameof(ErrorEndsAsync), ErrorEndsAsync),
            (nameof(ValidationError), () => { ValidationError(); return Task.CompletedTask; }),
        };

        var example = new Envoy.StateFlow([ExampleState()]);
        var ctx = await example.RunAsync();
        Console.WriteLine($"-- {nameof(ExampleState)}");
        Console.WriteLine($"entered={ctx.Get<bool>("entered")} exited={ctx.Get<bool>("exited")}"); // entered=True exited=True
        foreach (var (name, run) in snippets)
        {
            Console.WriteLine($"-- {name}");
            await run();
        }
    }
}
