using System.Text.Json.Nodes;

namespace Envoy.Server;

/// <summary>
/// The ready server's sample flows (server.md, "Packages and the ready server"): their names, inputs and outputs are part of
/// the contract, so that a new user (and a test from outside) can try every feature through the API.
/// </summary>
internal static class SampleFlows
{
    /// <summary>Registers <c>hello</c>, <c>approval</c>, <c>wait</c>, <c>fanout</c>, <c>square</c>, <c>fail</c>, <c>slow</c> and <c>deadline</c>.</summary>
    /// <returns>The builder.</returns>
    public static EnvoyBuilder AddSampleFlows(this EnvoyBuilder envoy)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        return envoy
            .AddFlow("hello", Hello())
            .AddFlow("approval", Approval())
            .AddFlow("wait", Wait())
            .AddFlow("fanout", Fanout())
            .AddFlow("square", Square())
            .AddFlow("fail", Fail(), new FlowOptions { MaxRetries = 0 })
            .AddFlow("slow", provider => Slow(provider.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System))
            .AddFlow("deadline", Deadline());
    }

    /// <summary>The seed's first example: <c>Start</c> → <c>Middle</c> → <c>End</c>, ending with <c>"Hello! Middle! End!"</c>.</summary>
    public static StateFlow Hello() => new(
    [
        new State("Start") { OnState = async ctx => ctx.Output("Hello!"), Router = Router.Next("Middle") },
        new State("Middle") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " Middle!"), Router = Router.Next("End") },
        new State("End") { OnState = async ctx => ctx.Output(ctx.Output<string>() + " End!"), Router = Router.End },
    ]);

    /// <summary>
    /// Asks <c>input.user</c> "Approve &lt;amount&gt;?" (inputs <c>decision</c>, approve, and <c>note</c>, comment), then ends with
    /// <c>{ status: "approved" | "rejected", note }</c>.
    /// </summary>
    public static StateFlow Approval() => new(
    [
        new State("Ask")
        {
            OnState = async ctx =>
            {
                var input = ctx.Input();
                var user = input?["user"]?.GetValue<string>() ?? throw new InvalidOperationException("The approval flow needs an input { \"user\": ..., \"amount\": ... }.");
                ctx.Escalate(user, $"Approve {input["amount"]?.ToJsonString() ?? "?"}?", [EscalationInput.Approve("decision", "Decision"), EscalationInput.Comment("note", "Note")]);
                return ctx;
            },
            OnExit = async ctx => ctx.Output(new JsonObject { ["status"] = ctx.Get<string>("$escalation.status"), ["note"] = ctx.Get<string>("$escalation.note") }),
            Router = Router.End,
        },
    ]);

    /// <summary>Waits for the external event <c>signal</c> and ends with the value it was resolved with.</summary>
    public static StateFlow Wait() => new(
    [
        new State("Wait")
        {
            OnState = async ctx => ctx.WaitFor(new WaitFor("signal", "signal")),
            OnExit = async ctx => ctx.Output(ctx.GetWait("signal")?.Output?.DeepClone()),
            Router = Router.End,
        },
    ]);

    /// <summary>Spawns one <c>square</c> child per integer of its input array, waits for all, and ends with the sum of the squares.</summary>
    public static StateFlow Fanout() => new(
    [
        new State("Spawn")
        {
            OnState = async ctx =>
            {
                var numbers = ctx.Input<long[]>() ?? [];
                for (var i = 0; i < numbers.Length; i++)
                {
                    ctx.Spawn("square", numbers[i], $"n{i}");
                }

                return ctx;
            },
            OnExit = async ctx => ctx.Output(Enumerable.Range(0, (ctx.Input<long[]>() ?? []).Length).Sum(i => ctx.Get<long>($"$spawn.n{i}.result"))),
            Router = Router.End,
        },
    ]);

    /// <summary>One state: its integer input squared.</summary>
    public static StateFlow Square() => new(
    [
        new State("Square") { OnState = async ctx => ctx.Output(ctx.Input<long>() * ctx.Input<long>()), Router = Router.End },
    ]);

    /// <summary>Its one state always throws <c>boom</c> (registered with <c>MaxRetries</c> 0, so the job fails at once).</summary>
    public static StateFlow Fail() => new(
    [
        new State("Fail") { OnState = ctx => throw new InvalidOperationException("boom"), Router = Router.End },
    ]);

    /// <summary>
    /// A question with a deadline: asks <c>input.user</c> (default <c>ops</c>) "Approve before the deadline?" (input
    /// <c>decision</c>, approve) with a durable timeout of <c>input.timeoutMs</c> (default 60000); routes to <c>Answered</c> on
    /// a reply or to <c>TimedOut</c> when the wait resolved with the error <c>timeout</c> (the escalation then is expired). Ends
    /// with <c>{ status: "approved" | "rejected" | "expired", timedOut }</c>.
    /// </summary>
    public static StateFlow Deadline() => new(
    [
        new State("Ask")
        {
            OnState = async ctx =>
            {
                var input = ctx.Input() as JsonObject;
                var user = input?["user"]?.GetValue<string>() ?? "ops";
                var timeout = TimeSpan.FromMilliseconds(input?["timeoutMs"]?.GetValue<double>() ?? 60_000);
                ctx.Set("ask", ctx.Escalate(user, "Approve before the deadline?", [EscalationInput.Approve("decision", "Decision")], timeout));
                return ctx;
            },
            OnExit = async ctx => ctx.Set("status", ctx.Get<string>("$escalation.status")),
            Router = Router.Routes(
                new Dictionary<string, Route>
                {
                    ["Answered"] = new() { Description = "replied in time" },
                    ["TimedOut"] = new() { Description = "timeout: nobody replied in time" },
                },
                onRoute: async ctx => ctx.GetWait(ctx.Get<string>("ask")!)?.Error == Envoy.Wait.TimeoutError ? "TimedOut" : "Answered"),
        },
        new State("Answered")
        {
            OnState = async ctx => ctx.Output(new JsonObject { ["status"] = ctx.Get<string>("status"), ["timedOut"] = false }),
            Router = Router.End,
        },
        new State("TimedOut")
        {
            OnState = async ctx => ctx.Output(new JsonObject { ["status"] = ctx.Get<string>("status"), ["timedOut"] = true }),
            Router = Router.End,
        },
    ]);

    /// <summary>Sleeps its input in milliseconds (default 2000), honouring cancellation, and ends with <c>"slept"</c>.</summary>
    public static StateFlow Slow(TimeProvider time) => new(
    [
        new State("Sleep")
        {
            OnState = async ctx =>
            {
                var milliseconds = ctx.Input() is JsonValue ? ctx.Input<double>() : 2000;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, milliseconds)), time, ctx.CancellationToken).ConfigureAwait(false);
                return ctx.Output("slept");
            },
            Router = Router.End,
        },
    ]);
}
