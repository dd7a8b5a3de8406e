using System.Globalization;
using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// One pass over the recurring schedules: each enabled schedule whose next occurrence is due gets one job, for the latest
/// occurrence due (after downtime the missed ones are not replayed), and its next occurrence moves past now. Safe on every
/// process at once: the occurrence is part of the job's idempotency key (<see cref="IdempotencyKey"/>), so however many
/// processes fire it, the store creates one job; the move of the next occurrence is a compare-and-set.
/// </summary>
/// <param name="services">The scheduler's services (store, clock, flows, logger).</param>
/// <param name="schedule">Schedules a job the way <see cref="Scheduler.ScheduleJobAsync"/> does (eager start included).</param>
internal sealed class RecurringFiring(
    RuntimeServices services,
    Func<string, object?, ScheduleOptions?, CancellationToken, Task<ScheduledJob>> schedule)
{
    /// <summary>The idempotency key of the job of one occurrence: <c>recurring:{id}:{occurrence in ISO 8601 UTC}</c>.</summary>
    public static string IdempotencyKey(string recurringId, DateTimeOffset occurrence) =>
        "recurring:" + recurringId + ":" + occurrence.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Fires every due schedule; returns the ids of the jobs it created or found, and the earliest next occurrence (ms).</summary>
    public async Task<(IReadOnlyList<string> JobIds, long? NextDueMs)> RunAsync(CancellationToken cancellationToken)
    {
        var now = services.Time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var rows = await services.Queries.ListRecurringAsync(cancellationToken).ConfigureAwait(false);
        var jobIds = new List<string>();
        long? nextDue = null;
        foreach (var row in rows)
        {
            if (!row.Enabled || row.NextRunAtMs is not { } due)
            {
                continue;
            }

            if (due > nowMs)
            {
                nextDue = Earliest(nextDue, due);
                continue;
            }

            if (!services.Flows.TryGet(row.Flow, out _, out _))
            {
                RuntimeLog.RecurringFlowMissing(services.Logger, row.Id, services.WorkerId, row.Flow);
                continue;
            }

            try
            {
                var (jobId, next) = await FireAsync(row, due, now, cancellationToken).ConfigureAwait(false);
                jobIds.Add(jobId);
                if (next is { } n)
                {
                    nextDue = Earliest(nextDue, n);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One schedule's failure (a store hiccup, an input the flow refuses) must not stop the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.RecurringFailed(services.Logger, ex, row.Id);
            }
        }

        return (jobIds, nextDue);
    }

    private async Task<(string JobId, long? NextMs)> FireAsync(RecurringRow row, long dueMs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cron = CronSchedule.Parse(row.Cron, row.TimeZone);
        var due = DateTimeOffset.FromUnixTimeMilliseconds(dueMs);
        var occurrence = cron.LatestBetween(due, now) ?? due;
        if (occurrence > due)
        {
            RuntimeLog.RecurringCaughtUp(services.Logger, row.Id, due, occurrence);
        }

        var next = cron.NextAfter(now);
        var key = IdempotencyKey(row.Id, occurrence);
        var input = row.InputJson is null ? null : JsonNode.Parse(row.InputJson);
        string jobId;
        var created = false;
        try
        {
            var scheduled = await schedule(row.Flow, input, new ScheduleOptions { IdempotencyKey = key, Priority = row.Priority }, cancellationToken).ConfigureAwait(false);
            jobId = scheduled.Id;
            created = scheduled.Created;
        }
        catch (IdempotencyConflictException ex)
        {
            // The schedule's flow changed after this occurrence's job was created: that job is the occurrence's.
            jobId = ex.ExistingJobId;
        }

        var nextMs = next?.ToUnixTimeMilliseconds();
        await services.Writes.RecordRecurringRunAsync(
            new RecurringRun(row.Id, jobId, now.ToUnixTimeMilliseconds(), new RecurringAdvance(dueMs, nextMs)),
            cancellationToken).ConfigureAwait(false);
        if (created)
        {
            RuntimeLog.RecurringFired(services.Logger, row.Id, occurrence, jobId, next?.ToString("O", CultureInfo.InvariantCulture) ?? "none");
        }

        return (jobId, nextMs);
    }

    private static long Earliest(long? current, long candidate) => current is { } c && c < candidate ? c : candidate;
}
