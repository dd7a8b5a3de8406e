using System.Globalization;
using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/flows.md, "Errors": an exception in a handler.
    public static async Task HandlerErrorAsync()
    {
        var flow = new StateFlow(
        [
            new State("Parse")
            {
                OnState = async ctx => ctx.Output(int.Parse(ctx.Input<string>()!, CultureInfo.InvariantCulture)),
            },
        ]);

        var start = flow.NewContext("not a number");
        try
        {
            await flow.StepAsync(start);
        }
        catch (StateFlowException ex)
        {
            Console.WriteLine($"{ex.State}, step {ex.Step}: {ex.InnerException!.GetType().Name}"); // Parse, step 1: FormatException
        }

        Console.WriteLine($"{start.State}, {start.Output<string>()}"); // Parse, not a number (unchanged)
    }

    // docs/flows.md, "Errors": ends that are not exceptions.
    public static async Task ErrorEndsAsync()
    {
        var checking = new StateFlow(
        [
            new State("Check") { OnState = async ctx => ctx.Input<int>() < 0 ? ctx.Fail("negative input") : ctx },
        ]);
        var failed = await checking.RunAsync(-1);
        Console.WriteLine($"{failed.Done}: {failed.Error}"); // Error: negative input

        var spinning = new StateFlow(
            [new State("Spin") { OnState = async ctx => ctx, Router = Router.Next("Spin") }],
            new StateFlowOptions { MaxSteps = 5 });
        var stopped = await spinning.RunAsync();
        Console.WriteLine($"{stopped.Done} at step {stopped.Step}"); // MaxSteps at step 5

        var typo = new StateFlow(
        [
            new State("Pick")
            {
                OnState = async ctx => ctx,
                Router = Router.Routes(new Dictionary<string, Route> { ["Next"] = new() }, onRoute: async ctx => "Nxet"),
            },
            new State("Next") { OnState = async ctx => ctx },
        ]);
        var lost = await typo.RunAsync();
        Console.WriteLine($"{lost.Done}: {lost.Error}");
        // Error: State 'Pick' routed to 'Nxet', which is not one of its routes (Next).
    }

    // docs/flows.md, "Errors": a flow that does not hold together is refused when it is built.
    public static void ValidationError()
    {
        try
        {
            _ = new StateFlow(
            [
                new State("A") { OnState = async ctx => ctx, Router = Router.Next("C") },
                new State("B") { OnState = async ctx => ctx },
            ]);
        }
        catch (StateFlowValidationException ex)
        {
            Console.WriteLine(ex.Message); // State 'A' routes to 'C', which is not a state of the flow.
        }
    }
}
