using System.Text.Json.Nodes;
using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/flows.md, "Routers": Router.Next with a map from output to the next state's input.
    public static async Task NextWithMapAsync()
    {
        var flow = new StateFlow(
        [
            new State("Ask")
            {
                OnState = async ctx => ctx.Output("ada"),
                Router = Router.Next("Greet", map: (output, ctx) => new JsonObject { ["name"] = output?.DeepClone() }),
            },
            new State("Greet")
            {
                OnState = async ctx => ctx.Output($"Hello, {ctx.Input()?["name"]}!"),
                Router = Router.End,
            },
        ]);

        var ctx = await flow.RunAsync();
        Console.WriteLine(ctx.Output<string>()); // Hello, ada!
    }

    // docs/flows.md, "Routers": Router.Routes with descriptions and a default route.
    public static StateFlow TriageFlow(StateFlowOptions? options = null) => new(
    [
        new State("Triage")
        {
            OnState = async ctx => ctx,
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Billing"] = new() { Description = "about money" },
                    ["Support"] = new() { Description = "anything else", Default = true },
                },
                onRoute: async ctx => ctx.Input<string>() switch
                {
                    "invoice" => "Billing",
                    "done" => null,     // finish the flow here
                    var other => other, // not a route name: the default route (Support) is taken
                }),
        },
        new State("Billing") { OnState = async ctx => ctx.Output("billing team"), Router = Router.End },
        new State("Support") { OnState = async ctx => ctx.Output("support team"), Router = Router.End },
    ],
    options);

    public static async Task TriageAsync()
    {
        var flow = TriageFlow();
        foreach (var topic in new[] { "invoice", "printer", "done" })
        {
            var ctx = await flow.RunAsync(topic);
            Console.WriteLine($"{topic}: {ctx.State} -> {ctx.Output<string>()}");
        }

        // invoice: Billing -> billing team
        // printer: Support -> support team
        // done: Triage -> done
    }

    // docs/flows.md, "Routers": a loop (a state that routes to itself).
    public static async Task LoopAsync()
    {
        var flow = new StateFlow(
        [
            new State("Count")
            {
                OnState = async ctx => ctx.Output(ctx.Input<int>() + 1),
                Router = Router.Routes(
                    new Dictionary<string, Route> { ["Count"] = new() { Description = "again" } },
                    onRoute: async ctx => ctx.Output<int>() < 3 ? "Count" : null),
            },
        ]);

        var ctx = await flow.RunAsync(0);
        Console.WriteLine($"{ctx.Output<int>()} after {ctx.Step} steps"); // 3 after 3 steps
    }
}
