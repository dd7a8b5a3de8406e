using Envoy;

namespace FlowBasics;

public static partial class DocSnippets
{
    // docs/scheduling.md, "Durable timers and deadlines": a reminder that sleeps a day between two sends.
    public static StateFlow ReminderFlow() => new(
    [
        new State("Remind")
        {
            OnEnter = async ctx => ctx.Set("sent", 1),
            OnState = async ctx =>
            {
                ctx.Sleep("cool-down", TimeSpan.FromDays(1)); // durable: no worker held, survives restarts
                return ctx;
            },
            OnExit = async ctx => ctx.Set("sent", ctx.Get<int>("sent") + 1),
            Router = Router.End,
        },
    ]);

    // docs/scheduling.md: a webhook that may never come, and an approval that expires; the handlers decide what a timeout means.
    public static StateFlow DeadlineFlow() => new(
    [
        new State("AwaitPayment")
        {
            OnState = async ctx => ctx.WaitFor(new WaitFor("payment", "webhook") { Timeout = TimeSpan.FromHours(2) }),
            OnExit = async ctx => ctx.Set("paid", ctx.GetWait("payment")!.Error != Wait.TimeoutError),
            Router = Router.Next("Approve"),
        },
        new State("Approve")
        {
            OnState = async ctx =>
            {
                ctx.Escalate("alice", "Ship the order?", [EscalationInput.Approve("ok", "Ship")], TimeSpan.FromDays(3));
                return ctx;
            },
            // $escalation.status is "approved", "rejected" or, when nobody answered in 3 days, "expired".
            OnExit = async ctx => ctx.Output(ctx.Get<string>("$escalation.status") == "approved" ? "shipped" : "held"),
            Router = Router.End,
        },
    ]);
}
