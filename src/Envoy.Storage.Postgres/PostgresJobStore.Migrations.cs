using Envoy.Runtime.Storage;
using Npgsql;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore : ISchemaMigrations
{
    /// <summary>What each of <see cref="PostgresSql.Migrations"/> changes, by version (index 0 is version 1).</summary>
    private static readonly string[] MigrationDescriptions =
    [
        "Create the envoy schema: jobs, waits, escalations, job_events and their indexes",
        "Set envoy.jobs fillfactor to 70 (room for heap-only updates)",
        "Fewer index entries per job (partial idempotency-key index, no job_events primary key index)",
        "Create envoy.store_identity (the store's id, naming its Redis keys and channels)",
        "Add envoy.jobs.takeovers (lease expiries since the job's last commit)",
        "Add envoy.jobs.input (the scheduled input) and the job list's flow index",
        "Create envoy.event_listeners (processes listening to the store-wide event feed)",
        "Add envoy.jobs.total_retries (every retry, never reset), counted for existing jobs from their history",
        "Create envoy.recurring (recurring jobs: cron schedules)",
        "Add envoy.jobs.flow_version (the version of its flow a job started with; '' for existing jobs)",
        "Add envoy.jobs.trace_parent (the trace context the job was scheduled in, for the step spans' links)",
        "Add envoy.waits.due_at and the waits_timers index (durable timers)",
        "Retention: index finished jobs by finish time (jobs_finished) and escalations by job (escalations_job)",
        "Create envoy.workers (the registry of live workers and the flow versions they serve)",
        "Concurrency limits: add envoy.jobs.concurrency_key and concurrency_limit; limited pending jobs get their own ready index",
        "Rate limits: create envoy.rate_limit_scopes and envoy.rate_limit_usage (shared sliding windows, pauses); add envoy.jobs.waiting_reason",
        "Limited jobs in claim order: add envoy.jobs.parked; jobs_limited_ready in claim order, jobs_limited_parked per (flow, key) for jobs met with their key full",
    ];

    /// <inheritdoc />
    public int LatestSchemaVersion => SchemaVersion;

    /// <inheritdoc />
    /// <remarks>Reads <c>envoy.schema_version</c> when it exists (<c>to_regclass</c>): creates nothing, takes no lock.</remarks>
    public async Task<IReadOnlyList<SchemaMigration>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int current;
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // Two statements: a query naming a table that does not exist fails when it is planned, even in a branch not taken.
                using var exists = connection.Command("SELECT to_regclass('envoy.schema_version') IS NOT NULL", null);
                if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                {
                    current = 0;
                }
                else
                {
                    using var read = connection.Command("SELECT coalesce(max(version), 0) FROM envoy.schema_version", null);
                    current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new EnvoyException($"Cannot reach PostgreSQL at {Host}:{Port} (database '{Database}'): {ex.Message}", ex);
        }

        if (current > SchemaVersion)
        {
            throw new EnvoyException($"The database {Description} has Envoy schema version {current}, newer than this Envoy ({SchemaVersion}).");
        }

        var pending = new List<SchemaMigration>();
        for (var version = current + 1; version <= SchemaVersion; version++)
        {
            pending.Add(new SchemaMigration(version, version <= MigrationDescriptions.Length ? MigrationDescriptions[version - 1] : $"Schema version {version}"));
        }

        return pending;
    }
}
