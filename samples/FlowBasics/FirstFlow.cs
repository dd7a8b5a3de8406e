using Envoy;

namespace FlowBasics;

/// <summary>The seed's first example: three states that build one string (docs/flows.md, "A first flow").</summary>
public static class FirstFlow
{
    public static StateFlow Build() => new(
    [
        new State("Start")
        {
            OnState = async ctx => ctx.Output("Hello!"),
            Router = Router.Next("Middle"),
        },
        new State("Middle")
        {
            OnState = async ctx => ctx.Output(ctx.Output<string>() + " Middle!"),
            Router = Router.Next("End"),
        },
        new State("End")
        {
            OnState = async ctx => ctx.Output(ctx.Output<string>() + " End!"),
            Router = Router.End,
        },
    ]);

    public static async Task RunAsync()
    {
        var flow = Build();
        var ctx = await flow.RunAsync();
        Console.WriteLine(ctx.Output<string>()); // Hello! Middle! End!
    }
}
