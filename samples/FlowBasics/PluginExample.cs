using Envoy;

namespace FlowBasics;

/// <summary>
/// Plugins: a logger that prints every state it enters and leaves, and a step counter that depends on it
/// (so it always runs after the logger) and keeps a count in the run's data.
/// </summary>
public static class PluginExample
{
    public static StateFlowPlugin Logger { get; } = new("logger")
    {
        OnEnter = async ctx =>
        {
            Console.WriteLine($"  entering {ctx.State} (step {ctx.Step})");
            return ctx;
        },
        OnExit = async ctx =>
        {
            Console.WriteLine($"  exiting {ctx.State}");
            return ctx;
        },
    };

    public static StateFlowPlugin StepCounter { get; } = new("step-counter")
    {
        DependsOn = ["logger"],
        OnExit = async ctx => ctx.Set("stepsSeen", ctx.Get<int>("stepsSeen") + 1),
    };

    public static async Task RunAsync()
    {
        // The plugins are listed out of order on purpose: the flow sorts them by DependsOn.
        var flow = new StateFlow(
            FirstFlow.Build().Nodes,
            new StateFlowOptions { Plugins = [StepCounter, Logger] });
        Console.WriteLine($"plugin order: {string.Join(", ", flow.Plugins.Select(p => p.Name))}");
        var ctx = await flow.RunAsync();
        Console.WriteLine($"{ctx.Output<string>()} ({ctx.Get<int>("stepsSeen")} steps seen by the counter)");
    }
}
