using Envoy;

namespace FlowBasics;

/// <summary>
/// The seed's dynamic routing: state A produces a number and its router picks B or C. The seed used Math.random();
/// here the number is the run's input, so the output is the same on every run.
/// </summary>
public static class DynamicRouting
{
    public static StateFlow Build() => new(
    [
        new State("A")
        {
            OnState = async ctx => ctx.Output(ctx.Input<double>()),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["B"] = new() { Description = "route to B" },
                    ["C"] = new() { Description = "route to C" },
                },
                onRoute: async ctx => ctx.Output<double>() > 0.5 ? "B" : "C"),
        },
        new State("B")
        {
            OnState = async ctx => ctx.Output($"B took {ctx.Input<double>()}"),
            Router = Router.End,
        },
        new State("C")
        {
            OnState = async ctx => ctx.Output($"C took {ctx.Input<double>()}"),
            Router = Router.End,
        },
    ]);

    public static async Task RunAsync()
    {
        var flow = Build();
        foreach (var value in new[] { 0.8, 0.3 })
        {
            var ctx = await flow.RunAsync(value);
            Console.WriteLine($"{value} -> {ctx.State}: {ctx.Output<string>()}");
        }
    }
}
