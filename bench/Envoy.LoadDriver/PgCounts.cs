using System.Collections.Concurrent;
using Npgsql;

namespace Envoy.LoadDriver;

/// <summary>
/// The cross-process exactly-once counter for PostgreSQL runs: every handler run, in every process, adds one to its
/// (job, state) row of <c>public.bench_counts</c> (and keeps the earliest start, in Unix microseconds, for schedule-to-start
/// latency across processes). Hits are buffered in memory and flushed in one statement every 20 ms, so the counter costs
/// a few transactions per second, not one per step. It also reads how many top-level jobs are finished (every process's
/// workers count, not only this one's events).
/// </summary>
internal sealed class PgCounts : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentQueue<(string Job, string State, long StartUs)> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _flusher;
    private int _disposed;

    public PgCounts(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "envoy-loaddriver-counts", Options = "-c synchronous_commit=off" };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public static long NowUs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>Drops the store's schema and the counter table: every run starts clean.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("""
            DROP SCHEMA IF EXISTS envoy CASCADE;
            DROP TABLE IF EXISTS public.bench_counts;
            CREATE UNLOGGED TABLE public.bench_counts (job_id text NOT NULL, state text NOT NULL, runs integer NOT NULL, first_start_us bigint NOT NULL, PRIMARY KEY (job_id, state));
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    public void Start() => _flusher = Task.Run(FlushLoopAsync);

    public void Hit(string jobId, string state) => _pending.Enqueue((jobId, state, NowUs()));

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var rows = new Dictionary<(string, string), (int Runs, long Start)>();
        while (_pending.TryDequeue(out var hit))
        {
            rows[(hit.Job, hit.State)] = rows.TryGetValue((hit.Job, hit.State), out var r) ? (r.Runs + 1, Math.Min(r.Start, hit.StartUs)) : (1, hit.StartUs);
        }

        await using var command = _dataSource.CreateCommand("""
            INSERT INTO public.bench_counts (job_id, state, runs, first_start_us)
            SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[])
            ON CONFLICT (job_id, state) DO UPDATE SET runs = bench_counts.runs + excluded.runs, first_start_us = least(bench_counts.first_start_us, excluded.first_start_us)
            """);
        command.Parameters.AddWithValue(rows.Keys.Select(k => k.Item1).ToArray());
        command.Parameters.AddWithValue(rows.Keys.Select(k => k.Item2).ToArray());
        command.Parameters.AddWithValue(rows.Values.Select(v => v.Runs).ToArray());
        command.Parameters.AddWithValue(rows.Values.Select(v => v.Start).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Top-level jobs of <paramref name="flow"/> that reached a terminal status, whichever process ran them.</summary>
    public async Task<long> FinishedAsync(string flow, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT count(*) FROM envoy.jobs WHERE flow = $1 AND parent_id IS NULL AND status >= 3");
        command.Parameters.AddWithValue(flow);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The counter's verdict: every (job, state) of the expected ones ran exactly once, none more, none other.</summary>
    public async Task<(long Rows, long Runs, long NotOnce, long Jobs)> TotalsAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT count(*), coalesce(sum(runs), 0), count(*) FILTER (WHERE runs <> 1), count(DISTINCT job_id) FROM public.bench_counts");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>Earliest handler start (Unix µs) of each of <paramref name="jobIds"/>, from every process.</summary>
    public async Task<Dictionary<string, long>> FirstStartsAsync(string[] jobIds, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT job_id, min(first_start_us) FROM public.bench_counts WHERE job_id = ANY($1) GROUP BY job_id");
        command.Parameters.AddWithValue(jobIds);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }

    /// <summary>Inserts <paramref name="count"/> pending jobs of <paramref name="flow"/> due in a year (they sit in the ready index, never run).</summary>
    public async Task<long> InsertBacklogAsync(string flow, int count, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var command = _dataSource.CreateCommand("""
            INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at)
            SELECT 'backlog-' || g, $1, 0, '{}'::jsonb, $2, $3, $3 FROM generate_series(1, $4) AS g
            """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue(flow);
        command.Parameters.AddWithValue(now + (365L * 24 * 3600 * 1000));
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(count);
        var rows = await command.ExecuteNonQueryAsync(ct);
        await using var analyze = _dataSource.CreateCommand("ANALYZE envoy.jobs");
        await analyze.ExecuteNonQueryAsync(ct);
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_flusher is not null)
        {
            try
            {
#pragma warning disable VSTHRD003 // The flush loop was started by this object (Start).
                await _flusher;
#pragma warning restore VSTHRD003
            }
            catch (OperationCanceledException)
            {
            }
        }

        await FlushAsync(CancellationToken.None);
        _stop.Dispose();
        await _dataSource.DisposeAsync();
    }

    private async Task FlushLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(20, _stop.Token);
            await FlushAsync(_stop.Token);
        }
    }
}
