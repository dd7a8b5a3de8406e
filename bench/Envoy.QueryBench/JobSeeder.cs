using System.Diagnostics;
using Envoy.Storage.Postgres;
using Npgsql;

namespace Envoy.QueryBench;

/// <summary>
/// Fills a PostgreSQL store with many finished and unfinished jobs quickly, with server-side <c>INSERT ... SELECT
/// generate_series</c> (no row crosses the network): the data behind the query benchmark, reusable by other benchmarks (the
/// HTTP API's) through <see cref="SeedAsync"/> or the SQL of <see cref="InsertChunk"/>.
/// </summary>
/// <remarks>
/// The mix, for job number <c>i</c> (deterministic: the same count gives the same jobs): 10 flows (<see cref="Flows"/>,
/// evenly); statuses 85% done, 5% failed, 2% cancelled, 4% pending (half of them delayed a day), 1% running (leased for an
/// hour), 3% blocking; created 100 ms apart, the newest just before the seed ran; ids are UUID-shaped
/// (<c>md5(i)</c>). Each input is <c>{ "customer": "&lt;word&gt; &lt;word&gt;", "order": "ORD-i", "amount": n, "note": ... }</c>
/// with words from <see cref="Words"/> (each word in about 4% of the inputs: <see cref="CommonWord"/> is one), and the
/// note <see cref="RareWord"/> in one job of 100,000. Done jobs have an output <c>{ "receipt": "R-i", "ok": true }</c>;
/// failed ones the error <c>timeout calling &lt;word&gt;-service</c>. No history rows, waits or escalations.
/// </remarks>
public static class JobSeeder
{
    /// <summary>The flows of the seeded jobs.</summary>
    public static readonly IReadOnlyList<string> Flows = ["orders", "emails", "billing", "reports", "sync", "import", "export", "notify", "cleanup", "approval"];

    /// <summary>The words of the seeded inputs and errors.</summary>
    public static readonly IReadOnlyList<string> Words =
    [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
        "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
        "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "amber", "birch", "cedar", "dune",
        "ember", "fjord", "glade", "harbor", "island", "jasper", "kestrel", "lagoon", "meadow", "nectar",
        "orchid", "prairie", "quartz", "ridge", "summit", "tundra", "umber", "valley", "willow", "yarrow",
    ];

    /// <summary>A word in about 4% of the inputs (and in some errors).</summary>
    public const string CommonWord = "meadow";

    /// <summary>A word in one input of 100,000.</summary>
    public const string RareWord = "zyzzyva";

    /// <summary>
    /// Inserts jobs number $1 to $2 (inclusive) of a seed of $3 jobs, the newest created at $4 (Unix milliseconds). Statuses:
    /// 0 pending, 1 running, 2 blocking, 3 done, 4 failed, 5 cancelled.
    /// </summary>
    public const string InsertChunk = """
        WITH words AS (SELECT ARRAY[@words]::text[] AS w, ARRAY[@flows]::text[] AS f),
        src AS (
          SELECT i, md5(i::text)::uuid::text AS id,
            (i * 40503) % 1000 AS s, (i * 2654435761) % 1000003 AS h,
            $4 - ($3 - i) * 100 AS created
          FROM generate_series($1::bigint, $2::bigint) AS i),
        shaped AS (
          SELECT src.*, words.*,
            CASE WHEN s < 850 THEN 3 WHEN s < 900 THEN 4 WHEN s < 920 THEN 5 WHEN s < 960 THEN 0 WHEN s < 970 THEN 1 ELSE 2 END::smallint AS status
          FROM src, words),
        job AS (
          SELECT id, f[(1 + i % 10)::int] AS flow, status, created,
            jsonb_build_object(
              'customer', initcap(w[(1 + h % 50)::int]) || ' ' || initcap(w[(1 + (h / 50) % 50)::int]),
              'order', 'ORD-' || i, 'amount', i % 997,
              'note', CASE WHEN i % 100000 = 77 THEN 'call back: ' || @rare ELSE '' END) AS input,
            CASE WHEN status = 3 THEN jsonb_build_object('receipt', 'R-' || i, 'ok', true) END AS output,
            CASE status WHEN 4 THEN 'timeout calling ' || w[(1 + (h / 2500) % 50)::int] || '-service' WHEN 5 THEN 'cancelled' END AS error,
            CASE WHEN status = 0 AND i % 2 = 0 THEN created + 86400000 ELSE created END AS run_at
          FROM shaped)
        INSERT INTO envoy.jobs (id, flow, status, context, priority, run_at, created_at, updated_at, started_at, finished_at, error,
          retries, attempts, version, lease_owner, lease_until, input)
        SELECT id, flow, status,
          jsonb_build_object('v', 1, 'state', CASE WHEN status = 0 THEN 'Receive' WHEN status = 3 THEN 'Confirm' ELSE 'Charge' END,
            'step', CASE WHEN status = 0 THEN 1 WHEN status = 3 THEN 3 ELSE 2 END, 'input', input,
            'output', coalesce(output, input), 'data', '{}'::jsonb, 'waits', '[]'::jsonb, 'phase', 'pluginEnter', 'phaseIndex', 0,
            'done', CASE WHEN status = 3 THEN 'finished' END, 'error', error, 'jobId', id),
          0, run_at, created, created + 250,
          CASE WHEN status <> 0 THEN created + 5 END,
          CASE WHEN status >= 3 THEN created + 250 END,
          error, 0, CASE WHEN status = 0 THEN 0 ELSE 1 END, CASE WHEN status = 0 THEN 0 ELSE 3 END,
          CASE WHEN status = 1 THEN 'bench' END, CASE WHEN status = 1 THEN $4 + 3600000 END, input
        FROM job
        """;

    /// <summary>
    /// Creates the store's schema, then inserts <paramref name="count"/> jobs in chunks of 100,000 (one transaction each), and
    /// vacuums and analyzes <c>envoy.jobs</c> (statistics for the planner, a visibility map for index-only counts). The store
    /// should be empty: ids collide with an earlier seed.
    /// </summary>
    /// <returns>How long the inserts took and how long the vacuum took.</returns>
    public static async Task<(TimeSpan Insert, TimeSpan Vacuum)> SeedAsync(string connectionString, int count, DateTimeOffset newestCreatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, Listen = false }))
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }

        var sql = InsertChunk
            .Replace("@words", string.Join(", ", Words.Select(w => $"'{w}'")), StringComparison.Ordinal)
            .Replace("@flows", string.Join(", ", Flows.Select(f => $"'{f}'")), StringComparison.Ordinal)
            .Replace("@rare", $"'{RareWord}'", StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        const int Chunk = 100_000;
        for (long first = 1; first <= count; first += Chunk)
        {
#pragma warning disable CA2100 // The SQL is this class's constant with constant word lists; the values are parameters.
            await using var insert = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
#pragma warning restore CA2100
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = first });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Min(count, first + Chunk - 1) });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = newestCreatedAt.ToUnixTimeMilliseconds() });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var inserted = Stopwatch.GetElapsedTime(started);
        started = Stopwatch.GetTimestamp();
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) envoy.jobs", connection) { CommandTimeout = 0 })
        {
            await vacuum.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return (inserted, Stopwatch.GetElapsedTime(started));
    }
}
