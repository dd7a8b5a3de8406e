using System.Globalization;
using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The maintenance leader's retention work, in a loop of its own next to the leader's pass (so that a long purge never delays
/// the lease sweep): every <see cref="SchedulerOptions.MaintenanceInterval"/> while this scheduler leads, it fails the jobs
/// past their flow's <see cref="FlowOptions.MaxJobAge"/> (through the state machine, as a failure by hand), then deletes
/// finished jobs past their retention (<see cref="SchedulerOptions.Retention"/>, <see cref="FlowOptions.Retention"/>) in
/// batches of <see cref="BatchSize"/>, one short transaction each, pausing between batches as long as the batch took (the
/// store spends at most about half its time purging, and claims and commits get through between batches).
/// </summary>
internal sealed class RetentionPurge : IAsyncDisposable
{
    private readonly IJobStore _store;
    private readonly FlowRegistry _flows;
    private readonly SchedulerOptions _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Retention over <paramref name="store"/> for the flows of <paramref name="flows"/>; <see cref="Start"/> runs its loop.</summary>
    public RetentionPurge(IJobStore store, FlowRegistry flows, SchedulerOptions config, TimeProvider time, ILogger logger)
    {
        _store = store;
        _flows = flows;
        _config = config;
        _time = time;
        _logger = logger;
    }

    /// <summary>The most jobs deleted (or failed for their age, per flow) in one transaction (default 500).</summary>
    internal int BatchSize { get; init; } = 500;

    /// <summary>The least pause between two batches (default 10 ms); the pause is as long as the batch took when that is longer.</summary>
    internal TimeSpan MinPause { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The retention of a scheduler, run by its maintenance leader while <paramref name="isLeading"/> says it leads.</summary>
    public static RetentionPurge Start(RuntimeServices services, Func<bool> isLeading)
    {
        var purge = new RetentionPurge(services.Store, services.Flows, services.Config, services.Time, services.Logger);
        purge._loop = Task.Run(() => purge.RunAsync(isLeading, purge._stop.Token));
        return purge;
    }

    /// <summary>The error a job past its flow's maximum age fails with.</summary>
    public static string MaxJobAgeError(TimeSpan maxJobAge, long createdAtMs) =>
        string.Create(CultureInfo.InvariantCulture, $"job exceeded MaxJobAge {maxJobAge:c} (created {DateTimeOffset.FromUnixTimeMilliseconds(createdAtMs):yyyy-MM-ddTHH:mm:ss.fffZ})");

    /// <summary>The cutoffs at <paramref name="nowMs"/>: the scheduler's retention, and the flows registered here that override it.</summary>
    public static RetentionCutoffs CutoffsAt(long nowMs, TimeSpan? retention, IEnumerable<KeyValuePair<string, FlowOptions>> flows)
    {
        var own = new Dictionary<string, long?>(StringComparer.Ordinal);
        foreach (var (flow, options) in flows)
        {
            if (options.Retention is { } flowRetention)
            {
                own[flow] = flowRetention == Timeout.InfiniteTimeSpan ? null : nowMs - (long)flowRetention.TotalMilliseconds;
            }
        }

        return new RetentionCutoffs(retention is { } r ? nowMs - (long)r.TotalMilliseconds : null, own);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>
    /// One round: fails the jobs past their maximum age, then purges until a batch comes back short (or this scheduler stops
    /// leading); returns what it deleted.
    /// </summary>
    internal async Task<PurgeResult> RunOnceAsync(Func<bool> isLeading, CancellationToken cancellationToken)
    {
        await FailAgedJobsAsync(isLeading, cancellationToken).ConfigureAwait(false);
        var cutoffs = CutoffsAt(NowMs, _config.Retention, _flows.Options());
        if (cutoffs.KeepsEverything)
        {
            return PurgeResult.None;
        }

        var total = PurgeResult.None;
        var batches = 0;
        try
        {
            while (isLeading())
            {
                var started = _time.GetTimestamp();
                var batch = await _store.PurgeJobsAsync(cutoffs, BatchSize, cancellationToken).ConfigureAwait(false);
                total = total.Add(batch);
                batches++;
                if (batch.Jobs < BatchSize)
                {
                    break;
                }

                var took = _time.GetElapsedTime(started);
                var pause = took > MinPause ? took : MinPause;
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (total.Jobs > 0)
            {
                RuntimeLog.RetentionPurged(_logger, total.Jobs, total.Events, total.Waits, total.Escalations, batches);
            }
        }

        return total;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task FailAgedJobsAsync(Func<bool> isLeading, CancellationToken cancellationToken)
    {
        foreach (var (flow, options) in _flows.Options())
        {
            if (options.MaxJobAge is not { } maxAge)
            {
                continue;
            }

            IReadOnlyList<AgedJob> aged;
            do
            {
                var now = NowMs;
                aged = await _store.FindAgedJobsAsync(flow, now - (long)maxAge.TotalMilliseconds, BatchSize, cancellationToken).ConfigureAwait(false);
                foreach (var job in aged)
                {
                    var error = MaxJobAgeError(maxAge, job.CreatedAtMs);
                    var result = await _store.FinishJobAsync(job.Id, JobStatus.Failed, error, NowMs, cancellationToken).ConfigureAwait(false);
                    if (result.Outcome == StoreOutcome.Ok)
                    {
                        RuntimeLog.JobExceededMaxJobAge(_logger, job.Id, flow, error);
                    }
                }
            }
            while (aged.Count == BatchSize && isLeading());
        }
    }

    private async Task RunAsync(Func<bool> isLeading, CancellationToken stop)
    {
        var interval = _config.MaintenanceInterval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (isLeading())
                {
                    await RunOnceAsync(isLeading, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Retention must survive store hiccups; it logs and tries again next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.RetentionError(_logger, ex);
            }

            try
            {
                await Task.Delay(interval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
