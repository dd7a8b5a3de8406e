using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/flows.md, "Plugins": OnRoute overrides the router's choice.
    public static async Task PluginRouteAsync()
    {
        var billingClosed = new StateFlowPlugin("billing-closed")
        {
            OnRoute = async (ctx, proposed) => proposed == "Billing" ? "Support" : proposed,
        };
        var flow = TriageFlow(new StateFlowOptions { Plugins = [billingClosed] });

        var ctx = await flow.RunAsync("invoice");
        Console.WriteLine($"{ctx.State}: {ctx.Output<string>()}"); // Support: support team
    }

    // docs/flows.md, "Plugins": dependency problems are construction errors.
    public static void PluginCycle()
    {
        try
        {
            _ = new StateFlow(
                [new State("A") { OnState = async ctx => ctx }],
                new StateFlowOptions
                {
                    Plugins = [new StateFlowPlugin("a") { DependsOn = ["b"] }, new StateFlowPlugin("b") { DependsOn = ["a"] }],
                });
        }
        catch (StateFlowValidationException ex)
        {
            Console.WriteLine(ex.Message); // Plugin dependency cycle: a -> b -> a.
        }
    }
}
