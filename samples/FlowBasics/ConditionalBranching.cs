using Envoy;

namespace FlowBasics;

/// <summary>The seed's conditional branching: Check routes to Big or Small, each route with a (pass-through) map.</summary>
public static class ConditionalBranching
{
    public static StateFlow Build() => new(
    [
        new State("Check")
        {
            OnState = async ctx => ctx.Output(ctx.Input<int>()),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Big"] = new() { Description = "more than 10", Map = (output, ctx) => output },
                    ["Small"] = new() { Description = "10 or less", Map = (output, ctx) => output },
                },
                onRoute: async ctx => ctx.Output<int>() > 10 ? "Big" : "Small"),
        },
        new State("Big")
        {
            OnState = async ctx => ctx.Output("Big number!"),
            Router = Router.End,
        },
        new State("Small")
        {
            OnState = async ctx => ctx.Output("Small number!"),
            Router = Router.End,
        },
    ]);

    public static async Task RunAsync()
    {
        var flow = Build();
        foreach (var number in new[] { 42, 7 })
        {
            var ctx = await flow.RunAsync(number);
            Console.WriteLine($"{number}: {ctx.Output<string>()}");
        }
    }
}
