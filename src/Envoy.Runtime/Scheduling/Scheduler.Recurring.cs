using System.Text.Json.Nodes;
using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;

namespace Envoy;

public partial class Scheduler
{
    /// <summary>The longest recurring schedule id (it is part of a job's idempotency key and of a URL).</summary>
    public const int MaxRecurringIdLength = 200;

    /// <summary>
    /// Adds a recurring schedule, or updates the one with this id: a job of <paramref name="flow"/> with <paramref name="input"/>
    /// at each occurrence of <paramref name="cron"/> (Cronos; 5 fields <c>minute hour day month weekday</c>, or 6 with seconds
    /// first), read in <see cref="RecurringOptions.TimeZone"/> (UTC by default). Stored, so every scheduler on the store sees it;
    /// started schedulers fire it, one job per occurrence however many run (the occurrence is part of the job's idempotency
    /// key <c>recurring:{id}:{occurrence}</c>). After downtime, one job for the latest missed occurrence, then the schedule
    /// goes on. An update keeps the next occurrence when the expression, time zone and enabled state are unchanged; else the
    /// next occurrence is the first after now.
    /// </summary>
    /// <returns>The schedule as stored.</returns>
    /// <exception cref="FlowNotFoundException">The flow is not registered in this scheduler.</exception>
    /// <exception cref="InvalidCronExpressionException">The expression is invalid (the error names it and says why).</exception>
    /// <exception cref="UnknownTimeZoneException">The time zone is unknown.</exception>
    /// <exception cref="ContextValueException">The input cannot be written as JSON.</exception>
    public async Task<RecurringSchedule> AddRecurringAsync(string id, string flow, string cron, object? input = null, RecurringOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfBadRecurringId(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(flow);
        ArgumentNullException.ThrowIfNull(cron);
        if (!_services.Flows.TryGet(flow, out var stateFlow, out _))
        {
            throw new FlowNotFoundException(flow);
        }

        options = options?.Clone() ?? new RecurringOptions();
        var schedule = CronSchedule.Parse(cron, options.TimeZone);
        var context = stateFlow.NewContext(input);
        var contextJson = context.Serialize();
        ContextLimits.ThrowIfRefused(contextJson, "input", _services.Config.MaxContextBytes);
        var now = _services.Time.GetUtcNow();
        var existing = await _services.Queries.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        var keepNext = existing is { Enabled: true, NextRunAtMs: not null } && options.Enabled
            && string.Equals(existing.Cron, cron, StringComparison.Ordinal)
            && string.Equals(existing.TimeZone, schedule.ZoneId, StringComparison.Ordinal);
        var row = new RecurringRow
        {
            Id = id,
            Flow = flow,
            Cron = cron,
            TimeZone = schedule.ZoneId,
            InputJson = JobInputs.ToJson(context.Input()),
            Priority = options.Priority,
            Enabled = options.Enabled,
            NextRunAtMs = keepNext ? existing!.NextRunAtMs : schedule.NextAfter(now)?.ToUnixTimeMilliseconds(),
            UpdatedAtMs = now.ToUnixTimeMilliseconds(),
        };
        await _services.Writes.SaveRecurringAsync(row, cancellationToken).ConfigureAwait(false);
        Volatile.Read(ref _recurring)?.Wake();
        return ToSchedule(row with { LastRunAtMs = existing?.LastRunAtMs, LastJobId = existing?.LastJobId });
    }

    /// <summary>Removes a recurring schedule (the jobs it created stay).</summary>
    /// <exception cref="RecurringNotFoundException">No schedule has this id.</exception>
    public async Task RemoveRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(id);
        if (!await _services.Writes.DeleteRecurringAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw new RecurringNotFoundException(id);
        }
    }

    /// <summary>Every recurring schedule on the store, by id, with its next occurrence and last run.</summary>
    public async Task<IReadOnlyList<RecurringSchedule>> ListRecurringAsync(CancellationToken cancellationToken = default)
    {
        var rows = await _services.Queries.ListRecurringAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToSchedule)];
    }

    /// <summary>One recurring schedule.</summary>
    /// <exception cref="RecurringNotFoundException">No schedule has this id.</exception>
    public async Task<RecurringSchedule> GetRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var row = await _services.Queries.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RecurringNotFoundException(id);
        return ToSchedule(row);
    }

    /// <summary>
    /// Runs a recurring schedule once now, whether enabled or not (its occurrences are unchanged), and returns the job's id;
    /// the schedule's last run is this job.
    /// </summary>
    /// <exception cref="RecurringNotFoundException">No schedule has this id.</exception>
    /// <exception cref="FlowNotFoundException">The schedule's flow is not registered in this scheduler.</exception>
    public async Task<string> TriggerRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(id);
        var row = await _services.Queries.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RecurringNotFoundException(id);
        var input = row.InputJson is null ? null : JsonNode.Parse(row.InputJson);
        var job = await ScheduleJobAsync(row.Flow, input, new ScheduleOptions { Priority = row.Priority }, cancellationToken).ConfigureAwait(false);
        await _services.Writes.RecordRecurringRunAsync(new RecurringRun(id, job.Id, _services.NowMs), cancellationToken).ConfigureAwait(false);
        RuntimeLog.RecurringTriggered(_services.Logger, id, job.Id);
        return job.Id;
    }

    /// <summary>One pass of the recurring trigger at this scheduler's clock (for tests: what a started scheduler does at each occurrence).</summary>
    internal Task<(IReadOnlyList<string> JobIds, long? NextDueMs)> FireDueRecurringAsync(CancellationToken cancellationToken = default) =>
        _recurringFiring.RunAsync(cancellationToken);

    private static void ThrowIfBadRecurringId(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (id.Length > MaxRecurringIdLength)
        {
            throw new ArgumentException($"A recurring schedule id must be 1 to {MaxRecurringIdLength} characters (was {id.Length}).", nameof(id));
        }
    }

    private static RecurringSchedule ToSchedule(RecurringRow row) => new(row.Id, row.Flow, row.Cron, row.TimeZone)
    {
        Input = row.InputJson is null ? null : JsonNode.Parse(row.InputJson),
        Priority = row.Priority,
        Enabled = row.Enabled,
        NextRunAt = row.Enabled && row.NextRunAtMs is { } next ? DateTimeOffset.FromUnixTimeMilliseconds(next) : null,
        LastRunAt = row.LastRunAtMs is { } last ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null,
        LastJobId = row.LastJobId,
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAtMs),
    };
}
