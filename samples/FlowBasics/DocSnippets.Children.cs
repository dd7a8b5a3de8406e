using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/flows.md, "In-process runs and children".
    public static async Task ChildrenAsync()
    {
        var square = new StateFlow(
        [
            new State("Square") { OnState = async ctx => ctx.Output(ctx.Input<int>() * ctx.Input<int>()) },
        ]);
        var parent = new StateFlow(
        [
            new State("FanOut")
            {
                OnState = async ctx =>
                {
                    ctx.Spawn("square", 3, name: "three");
                    ctx.Spawn("square", 4, name: "four");
                    return ctx;
                },
                OnExit = async ctx => ctx.Output(ctx.Get<int>("$spawn.three.result") + ctx.Get<int>("$spawn.four.result")),
                Router = Router.End,
            },
        ],
        new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["square"] = square } });

        var ctx = await parent.RunAsync();
        Console.WriteLine($"{ctx.Get<string>("$spawn.three.status")}, 3² + 4² = {ctx.Output<int>()}"); // success, 3² + 4² = 25
    }
}
