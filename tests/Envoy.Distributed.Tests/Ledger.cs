using Npgsql;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Reads one test database straight from PostgreSQL: the jobs, their committed history (envoy.job_events) and the workers'
/// counter table (fault.handler_runs). Every read rides out a PostgreSQL restart (it retries until the test's deadline).
/// </summary>
internal sealed class Ledger(string connectionString) : IAsyncDisposable
{
    private const int Claimed = 1;
    private const int StepCompleted = 2;
    private const int LeaseExpired = 10;

    /// <summary>
    /// A lease takeover in the history: a claim of a job still running under an expired lease, or the maintenance leader's
    /// sweep of one back to pending (one or the other, never both, for each recovery).
    /// </summary>
    private static readonly string IsTakeover = $"(kind = {Claimed} AND from_status = {Running} OR kind = {LeaseExpired})";
    private const int StepFailed = 3;
    private const int Running = 1;
    private const int Done = 3;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    /// <summary>Steps committed so far (StepCompleted events).</summary>
    public Task<long> CommittedStepsAsync(CancellationToken ct) => ScalarAsync($"SELECT count(*) FROM envoy.job_events WHERE kind = {StepCompleted}", ct);

    /// <summary>Jobs that exist, and jobs in a terminal status.</summary>
    public async Task<(long Total, long Terminal)> JobCountsAsync(CancellationToken ct) =>
        (await ScalarAsync("SELECT count(*) FROM envoy.jobs", ct), await ScalarAsync("SELECT count(*) FROM envoy.jobs WHERE status IN (3, 4, 5)", ct));

    /// <summary>How many jobs have this status.</summary>
    public Task<long> CountStatusAsync(JobStatus status, CancellationToken ct) => ScalarAsync($"SELECT count(*) FROM envoy.jobs WHERE status = {(int)status}", ct);

    /// <summary>Handler runs recorded in the counter table so far.</summary>
    public Task<long> HandlerRunsAsync(CancellationToken ct) => ScalarAsync("SELECT coalesce(sum(runs), 0) FROM fault.handler_runs", ct);

    /// <summary>Polls until <paramref name="until"/> holds for the value read, within the test's deadline.</summary>
    public static async Task<T> PollAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> until, CancellationToken ct)
    {
        while (true)
        {
            var value = await read(ct);
            if (until(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct); // polling a condition in other processes, bounded by ct
        }
    }

    /// <summary>Waits until <paramref name="expected"/> jobs exist and every one is terminal.</summary>
    public Task WaitUntilAllTerminalAsync(long expected, CancellationToken ct) =>
        PollAsync(JobCountsAsync, c => c.Total >= expected && c.Terminal == c.Total, ct);

    /// <summary>
    /// Every one of <paramref name="jobs"/> jobs is Done; its committed history is exactly <paramref name="states"/> in order
    /// (A at step 1, B at step 2, ...; the last one to Done), so no (job, state, step) committed twice; no step failed; its own
    /// data shows each state applied once. The counter table has at least one handler run for every committed step and none
    /// for any other. Returns the handler re-runs (runs beyond one per committed step) and the lease takeovers.
    /// </summary>
    public async Task<(long Reruns, long Takeovers)> AssertEachStepCommittedOnceAsync(int jobs, string[] states, CancellationToken ct)
    {
        Assert.Equal(jobs, await ScalarAsync("SELECT count(*) FROM envoy.jobs", ct));
        Assert.Equal(jobs, await ScalarAsync($"SELECT count(*) FROM envoy.jobs WHERE status = {Done}", ct));

        var doubled = await RowsAsync(
            $"SELECT job_id || ' ' || state || step || ' x' || count(*) FROM envoy.job_events WHERE kind = {StepCompleted} GROUP BY job_id, state, step HAVING count(*) > 1 LIMIT 5", ct);
        Assert.True(doubled.Count == 0, "Steps committed more than once: " + string.Join("; ", doubled));

        var expected = string.Join(',', states.Select((s, i) => $"{s}{i + 1}>{(i == states.Length - 1 ? Done : Running)}"));
        var wrongHistory = await RowsAsync(
            $"""
            SELECT j.id || ': ' || coalesce(h.steps, '(none)') FROM envoy.jobs j
            LEFT JOIN LATERAL (SELECT string_agg(e.state || e.step || '>' || e.to_status, ',' ORDER BY e.seq) AS steps
                               FROM envoy.job_events e WHERE e.job_id = j.id AND e.kind = {StepCompleted}) h ON true
            WHERE h.steps IS DISTINCT FROM '{expected}' LIMIT 5
            """,
            ct);
        Assert.True(wrongHistory.Count == 0, $"Committed history is not {expected}: " + string.Join("; ", wrongHistory));

        var trail = string.Concat(states);
        var wrongData = await RowsAsync(
            $"SELECT id || ': ' || (context->'data')::text FROM envoy.jobs WHERE (context->'data'->>'count')::int IS DISTINCT FROM {states.Length} OR context->'data'->>'trail' IS DISTINCT FROM '{trail}' LIMIT 5",
            ct);
        Assert.True(wrongData.Count == 0, $"Job data is not count={states.Length}, trail={trail}: " + string.Join("; ", wrongData));

        Assert.Equal(0, await ScalarAsync($"SELECT count(*) FROM envoy.job_events WHERE kind = {StepFailed}", ct));

        var neverRan = await RowsAsync(
            $"""
            SELECT e.job_id || ' ' || e.state || e.step FROM envoy.job_events e
            WHERE e.kind = {StepCompleted} AND NOT EXISTS
              (SELECT 1 FROM fault.handler_runs r WHERE r.job_id = e.job_id AND r.state = e.state AND r.step = e.step AND r.runs >= 1)
            LIMIT 5
            """,
            ct);
        Assert.True(neverRan.Count == 0, "Committed steps whose handler never ran: " + string.Join("; ", neverRan));

        var ranUncommitted = await RowsAsync(
            $"""
            SELECT r.job_id || ' ' || r.state || r.step FROM fault.handler_runs r
            WHERE NOT EXISTS (SELECT 1 FROM envoy.job_events e WHERE e.kind = {StepCompleted} AND e.job_id = r.job_id AND e.state = r.state AND e.step = r.step)
            LIMIT 5
            """,
            ct);
        Assert.True(ranUncommitted.Count == 0, "Handler runs for steps that never committed: " + string.Join("; ", ranUncommitted));

        Assert.Equal((long)jobs * states.Length, await ScalarAsync("SELECT count(*) FROM fault.handler_runs", ct));
        var reruns = await ScalarAsync("SELECT coalesce(sum(runs), 0) - count(*) FROM fault.handler_runs", ct);
        var takeovers = await ScalarAsync($"SELECT count(*) FROM envoy.job_events WHERE {IsTakeover}", ct);
        return (reruns, takeovers);
    }

    /// <summary>Handler runs per job (all states), for checks on single jobs.</summary>
    public async Task<IReadOnlyDictionary<string, long>> RunsPerJobAsync(CancellationToken ct)
    {
        var rows = await RowsAsync("SELECT job_id || ' ' || sum(runs) FROM fault.handler_runs GROUP BY job_id", ct);
        return rows.Select(r => r.Split(' ')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    /// <summary>Lease takeovers (Claimed from Running, or LeaseExpired) per job.</summary>
    public async Task<IReadOnlyDictionary<string, long>> TakeoversPerJobAsync(CancellationToken ct)
    {
        var rows = await RowsAsync($"SELECT j.id || ' ' || count(e.seq) FROM envoy.jobs j LEFT JOIN (SELECT job_id, seq FROM envoy.job_events WHERE {IsTakeover}) e ON e.job_id = j.id GROUP BY j.id", ct);
        return rows.Select(r => r.Split(' ')).ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();

    public async Task<long> ScalarAsync(string sql, CancellationToken ct) =>
        await RetryAsync(
            async () =>
            {
                await using var command = _dataSource.CreateCommand(sql);
                return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            },
            ct);

    private async Task<List<string>> RowsAsync(string sql, CancellationToken ct) =>
        await RetryAsync(
            async () =>
            {
                await using var command = _dataSource.CreateCommand(sql);
                await using var reader = await command.ExecuteReaderAsync(ct);
                var rows = new List<string>();
                while (await reader.ReadAsync(ct))
                {
                    rows.Add(reader.GetString(0));
                }

                return rows;
            },
            ct);

    private static async Task<T> RetryAsync<T>(Func<Task<T>> read, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await read();
            }
            catch (Exception ex) when ((ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException) && ex is not PostgresException { SqlState: not ("57P01" or "57P02" or "57P03") })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct); // PostgreSQL is restarting: read again shortly, bounded by ct
            }
        }
    }
}
