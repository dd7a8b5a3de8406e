using System.Diagnostics;
using Envoy;

namespace QuickStart;

/// <summary>
/// Follows the scheduler's event stream: prints progress as jobs run, and plays the two outsiders of this demo, the payment
/// provider (it resolves "webhook" waits) and alice (she answers the escalations addressed to her).
/// </summary>
public sealed class Watcher
{
    private readonly Scheduler _scheduler;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Dictionary<string, string> _flows = new(StringComparer.Ordinal);

    private Watcher(Scheduler scheduler) => _scheduler = scheduler;

    /// <summary>Subscribes at once (before any job runs, so no event is missed) and follows the events until cancelled.</summary>
    public static Task RunAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        var events = scheduler.ReadEventsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var first = events.MoveNextAsync(); // the first move subscribes to the stream
        return new Watcher(scheduler).FollowAsync(events, first);
    }

    private async Task FollowAsync(IAsyncEnumerator<SchedulerEvent> events, ValueTask<bool> next)
    {
        await using (events)
        {
            try
            {
                while (await next)
                {
                    await HandleAsync(events.Current);
                    next = events.MoveNextAsync();
                }
            }
            catch (OperationCanceledException)
            {
                // Every job has finished.
            }
        }
    }

    private async Task HandleAsync(SchedulerEvent e)
    {
        switch (e)
        {
            case StepStartedEvent started:
                _flows[started.JobId] = started.Flow;
                Print(started.JobId, $"step {started.Step} {started.State} started");
                break;
            case StepCompletedEvent completed:
                Print(completed.JobId, $"step {completed.Step} {completed.State} committed, job {Describe(completed.Status)} ({completed.Duration.TotalMilliseconds:0.#} ms)");
                if (completed.Status == JobStatus.Blocking)
                {
                    await ResolveWebhooksAsync();
                }

                break;
            case EscalationCreatedEvent created:
                Print(created.JobId, $"escalation to {created.Escalation.User}: \"{created.Escalation.Message}\"");
                await AnswerEscalationsAsync();
                break;
            case JobFinishedEvent finished:
                Print(finished.JobId, $"finished: {Describe(finished.Status)}{(finished.Error is null ? string.Empty : " - " + finished.Error)}");
                break;
        }
    }

    /// <summary>The payment provider: every blocking job that waits for a webhook gets its payment.</summary>
    private async Task ResolveWebhooksAsync()
    {
        foreach (var job in await _scheduler.ListBlockingJobsAsync())
        {
            foreach (var wait in job.Context.Waits.Where(w => w.IsPending && w.Type == "webhook"))
            {
                Print(job.Id, $"webhook: payment for order {wait.Params?["orderId"]} received, resolving wait '{wait.Id}'");
                await _scheduler.ResolveBlockingJobAsync(job.Id, wait.Id, new { amount = 19.99 });
            }
        }
    }

    /// <summary>alice: approves refunds up to 100 EUR and rejects larger ones.</summary>
    private async Task AnswerEscalationsAsync()
    {
        foreach (var escalation in await _scheduler.ListEscalationsAsync(EscalationStatus.Pending, "alice"))
        {
            var amount = (await _scheduler.GetJobAsync(escalation.JobId)).Context.Input<int>();
            var decision = amount <= 100 ? EscalationDecision.Approved : EscalationDecision.Rejected;
            var note = decision == EscalationDecision.Approved ? "small amount, fine" : "too much, ask finance";
            Print(escalation.JobId, $"alice answers \"{escalation.Message}\": {Describe(decision)}, \"{note}\"");
            await _scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?> { ["note"] = note }, decision);
        }
    }

    private void Print(string jobId, string what)
    {
        var label = $"{_flows.GetValueOrDefault(jobId, "job")}#{jobId[^4..]}";
        Console.WriteLine($"  {Stopwatch.GetElapsedTime(_started).TotalMilliseconds,6:0} ms  {label,-20} {what}");
    }

    private static string Describe<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
