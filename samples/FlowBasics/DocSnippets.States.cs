using Envoy;

namespace FlowBasics;

/// <summary>
/// The code of every C# snippet in docs/flows.md, so that the guide's snippets compile and run
/// (<c>dotnet run --project samples/FlowBasics -- docs</c>). Each method is named in the guide.
/// </summary>
public static partial class DocSnippets
{
    // docs/flows.md, "States and handlers": the seed's state with all three handlers.
    public static State ExampleState() => new("Example")
    {
        OnEnter = async ctx => { ctx.Set("entered", true); return ctx; },
        OnState = async ctx => ctx, // main logic
        OnExit = async ctx => ctx.Set("exited", true),
        Router = Router.End,
    };

    // docs/flows.md, "The order of a step".
    public static async Task HandlerOrderAsync()
    {
        var log = new List<string>();
        var tracer = new StateFlowPlugin("tracer")
        {
            OnEnter = async ctx => { log.Add("plugin OnEnter"); return ctx; },
            OnExit = async ctx => { log.Add("plugin OnExit"); return ctx; },
            OnRoute = async (ctx, proposed) => { log.Add($"plugin OnRoute({proposed})"); return proposed; },
        };
        var flow = new StateFlow(
        [
            new State("A")
            {
                OnEnter = async ctx => { log.Add("OnEnter"); return ctx; },
                OnState = async ctx => { log.Add("OnState"); return ctx; },
                OnExit = async ctx => { log.Add("OnExit"); return ctx; },
                Router = Router.Routes(
                    new Dictionary<string, Route>
                    {
                        ["B"] = new() { Map = (output, ctx) => { log.Add("map"); return output; } },
                    },
                    onRoute: async ctx => { log.Add("router"); return "B"; }),
            },
            new State("B") { OnState = async ctx => ctx },
        ],
        new StateFlowOptions { Plugins = [tracer] });

        var next = await flow.StepAsync(flow.NewContext());
        Console.WriteLine(string.Join(" > ", log));
        // plugin OnEnter > OnEnter > OnState > plugin OnExit > OnExit > router > plugin OnRoute(B) > map
        Console.WriteLine($"{next.State}, step {next.Step}"); // B, step 2
    }

    // docs/flows.md, "States and handlers": without a router, the next declared state follows.
    public static async Task DeclarationOrderAsync()
    {
        var flow = new StateFlow(
        [
            new State("First") { OnState = async ctx => ctx.Output(1) },
            new State("Second") { OnState = async ctx => ctx.Output(ctx.Input<int>() + 1) },
        ]);

        var ctx = await flow.RunAsync();
        Console.WriteLine($"{ctx.State}: {ctx.Output<int>()} ({ctx.Done})"); // Second: 2 (Finished)
    }
}
