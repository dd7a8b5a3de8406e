using System.Text.Json.Nodes;
using Envoy;

namespace QuickStart;

/// <summary>The flows of the quick start, each registered under a name that jobs refer to.</summary>
public static class Flows
{
    public static void Register(Scheduler scheduler)
    {
        scheduler
            .AddFlow("hello", Hello())
            .AddFlow("check", Check())
            .AddFlow("square", Square())
            .AddFlow("sum-of-squares", SumOfSquares())
            .AddFlow("payment", Payment())
            .AddFlow("refund", Refund());
    }

    /// <summary>The seed's first example: three states in a row, each adding to the output.</summary>
    public static StateFlow Hello() => new(
    [
        new State("Start") { OnState = async ctx => ctx.Output("Hello!"), Router = Router.Next("Middle") },
        new State("Middle") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " Middle!"), Router = Router.Next("End") },
        new State("End") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " End!"), Router = Router.End },
    ]);

    /// <summary>A conditional branch: Check routes to Big or Small depending on the number.</summary>
    public static StateFlow Check() => new(
    [
        new State("Check")
        {
            OnState = async ctx => ctx.Output(ctx.Input<int>()),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Big"] = new() { Description = "more than 10" },
                    ["Small"] = new() { Description = "10 or less" },
                },
                onRoute: async ctx => ctx.Output<int>() > 10 ? "Big" : "Small"),
        },
        new State("Big") { OnState = async ctx => ctx.Output($"{ctx.Input<int>()} is a big number"), Router = Router.End },
        new State("Small") { OnState = async ctx => ctx.Output($"{ctx.Input<int>()} is a small number"), Router = Router.End },
    ]);

    /// <summary>The child of the fan-out: squares its input.</summary>
    public static StateFlow Square() => new(
    [
        new State("Square") { OnState = async ctx => ctx.Output(ctx.Input<int>() * ctx.Input<int>()), Router = Router.End },
    ]);

    /// <summary>Fan-out: one child job per number, then the sum of their results.</summary>
    public static StateFlow SumOfSquares() => new(
    [
        new State("Split")
        {
            // Each child is created when this step commits; the job blocks until every child has ended.
            OnState = async ctx =>
            {
                var numbers = ctx.Input<int[]>()!;
                for (var i = 0; i < numbers.Length; i++)
                {
                    ctx.Spawn("square", numbers[i], $"n{i}");
                }

                return ctx;
            },
            // The children's results ($spawn.<name>.result) are readable here, in the state that waited for them.
            OnExit = async ctx => ctx.Output(Enumerable.Range(0, ctx.Input<int[]>()!.Length).Sum(i => ctx.Get<int>($"$spawn.n{i}.result"))),
            Router = Router.Next("Report"),
        },
        new State("Report") { OnState = async ctx => ctx.Output($"sum of squares = {ctx.Input<int>()}"), Router = Router.End },
    ]);

    /// <summary>An external wait: the job blocks until a payment webhook resolves the wait "payment".</summary>
    public static StateFlow Payment() => new(
    [
        new State("AwaitPayment")
        {
            OnState = async ctx => ctx.WaitFor(new WaitFor("payment", "webhook", new JsonObject { ["orderId"] = ctx.Input<int>() })),
            OnExit = async ctx => ctx.Output(new JsonObject { ["orderId"] = ctx.Input<int>(), ["amount"] = ctx.GetWait("payment")!.Output?["amount"]?.DeepClone() }),
            Router = Router.Next("Ship"),
        },
        new State("Ship") { OnState = async ctx => ctx.Output($"order {ctx.Input()!["orderId"]} paid ({ctx.Input()!["amount"]} EUR) and shipped"), Router = Router.End },
    ]);

    /// <summary>An escalation: a human approves or rejects the refund, and the reply decides the route.</summary>
    public static StateFlow Refund() => new(
    [
        new State("Ask")
        {
            OnState = async ctx =>
            {
                ctx.Escalate("alice", $"Refund {ctx.Input<int>()} EUR?", [EscalationInput.Approve("ok", "Approve"), EscalationInput.Comment("note", "Note")]);
                return ctx;
            },
            // The reply ($escalation.status and one key per input) is readable here and in the router.
            OnExit = async ctx => ctx.Output(new JsonObject { ["amount"] = ctx.Input<int>(), ["note"] = ctx.Get<string>("$escalation.note") }),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Pay"] = new() { Description = "approved" },
                    ["Decline"] = new() { Description = "rejected" },
                },
                onRoute: async ctx => ctx.Get<string>("$escalation.status") == "approved" ? "Pay" : "Decline"),
        },
        new State("Pay") { OnState = async ctx => ctx.Output($"refunded {ctx.Input()!["amount"]} EUR ({ctx.Input()!["note"]})"), Router = Router.End },
        new State("Decline") { OnState = async ctx => ctx.Output($"refund declined ({ctx.Input()!["note"]})"), Router = Router.End },
    ]);
}
