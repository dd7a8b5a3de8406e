using System.Text.Json.Nodes;
using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/flows.md, "Waits and phases" and "Serialization": a wait made in OnState, resolved from outside.
    public static async Task WaitAndResumeAsync()
    {
        var flow = new StateFlow(
        [
            new State("AwaitPayment")
            {
                OnState = async ctx => ctx.WaitFor(new WaitFor("payment", "webhook", new JsonObject { ["orderId"] = 42 })),
                OnExit = async ctx => ctx.Output(ctx.GetWait("payment")!.Output?.DeepClone()),
                Router = Router.End,
            },
        ]);

        var blocked = await flow.StepAsync(flow.NewContext());
        Console.WriteLine($"{blocked.State} waits for {string.Join(", ", blocked.WaitingFor)}; resumes at {blocked.Phase}");
        // AwaitPayment waits for payment; resumes at PluginExit

        var json = blocked.Serialize(); // store it anywhere: a database row, a file, a message
        Console.WriteLine(json);
        var restored = StateContext.Deserialize(json).Resolve("payment", new { amount = 9.5 });
        var done = await flow.StepAsync(restored); // runs plugin OnExits, OnExit and the router
        Console.WriteLine($"{done.Done}: {done.Output()!.ToJsonString()}"); // Finished: {"amount":9.5}
    }

    // docs/flows.md, "Waits and phases": an escalation, answered here by hand as the scheduler would.
    public static StateFlow ApprovalFlow() => new(
    [
        new State("Approve")
        {
            OnState = async ctx =>
            {
                ctx.Escalate("alice", "Approve this action?",
                [
                    EscalationInput.Select("reason", "Reason", new Dictionary<string, string> { ["a"] = "A", ["b"] = "B" }),
                    EscalationInput.Comment("note", "Note"),
                    EscalationInput.Approve("ok", "Approve"),
                ]);
                return ctx;
            },
            OnExit = async ctx => ctx.Output($"{ctx.Get<string>("$escalation.status")}: {ctx.Get<string>("$escalation.note")}"),
            Router = Router.End,
        },
    ]);

    public static async Task EscalationAsync()
    {
        var flow = ApprovalFlow();
        var blocked = await flow.StepAsync(flow.NewContext());
        var waitId = blocked.WaitingFor[0];
        Console.WriteLine(blocked.GetWait(waitId)!.Type); // escalation

        // What the scheduler does when alice approves; a unit test of the flow can do the same.
        var done = await flow.StepAsync(blocked.Resolve(waitId, new { reason = "a", note = "Looks good" }));
        Console.WriteLine(done.Output<string>()); // approved: Looks good
    }
}
