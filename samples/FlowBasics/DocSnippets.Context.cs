using System.Text.Json.Nodes;
using Envoy;

namespace FlowBasics;

public sealed record Point(int X, int Y);

public static partial class DocSnippets
{
    // docs/flows.md, "Transitions".
    public static async Task TransitionAsync()
    {
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx => ctx.Output("from A").Set("kept", 1).Set("$scratch", 2),
            },
            new State("B")
            {
                OnState = async ctx =>
                {
                    Console.WriteLine($"input={ctx.Input<string>()} output={ctx.Output<string>()} step={ctx.Step}");
                    Console.WriteLine($"kept={ctx.Get<int>("kept")} has $scratch={ctx.Has("$scratch")}");
                    return ctx; // sets no output, so "from A" passes along
                },
            },
        ]);

        var done = await flow.RunAsync();
        Console.WriteLine($"{done.Done}: {done.Output<string>()}");
        // input=from A output=from A step=2
        // kept=1 has $scratch=False
        // Finished: from A
    }

    // docs/flows.md, "The context".
    public static async Task ContextValuesAsync()
    {
        var flow = new StateFlow(
        [
            new State("Make") { OnState = async ctx => ctx.Output(new Point(3, 4)) },
            new State("Measure")
            {
                OnState = async ctx =>
                {
                    var p = ctx.Input<Point>()!;
                    var length = Math.Sqrt((p.X * p.X) + (p.Y * p.Y));
                    return ctx
                        .Set("shape.kind", "point")
                        .Set("shape.length", length)
                        .Output("length", length); // the output started as the input {"x":3,"y":4}
                },
            },
        ]);

        var ctx = await flow.RunAsync();
        Console.WriteLine(ctx.Get<double>("shape.length"));            // 5
        Console.WriteLine(ctx.Get<JsonNode>("shape")!.ToJsonString()); // {"kind":"point","length":5}
        Console.WriteLine(ctx.Output()!.ToJsonString());               // {"x":3,"y":4,"length":5}
        Console.WriteLine(ctx.Output<Point>());                        // Point { X = 3, Y = 4 }
        Console.WriteLine(ctx.Get<string>("missing") is null);         // True
    }
}
