using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore : ISchemaMigrations
{
    /// <summary>What each migration of <see cref="MigrateAsync"/> changes, by version (index 0 is version 1).</summary>
    private static readonly string[] MigrationDescriptions =
    [
        "Create the jobs, waits, escalations and job_events tables and their indexes",
        "Add jobs.takeovers (lease expiries since the job's last commit)",
        "Add jobs.input (the scheduled input) and the jobs_flow_created index",
        "Add jobs.total_retries (every retry, never reset), counted for existing jobs from their history",
        "Create the recurring table (recurring jobs: cron schedules)",
        "Add jobs.flow_version (the version of its flow a job started with; '' for existing jobs)",
        "Add jobs.trace_parent (the trace context the job was scheduled in, for the step spans' links)",
        "Add waits.due_at and the waits_timers index (durable timers)",
        "Retention: index finished jobs by finish time, unfinished jobs by flow and age, and escalations by job",
        "Create workers (the registry of live workers and the flow versions they serve)",
        "Concurrency limits: add jobs.concurrency_key and jobs.concurrency_limit; limited pending jobs get their own ready index",
        "Rate limits: create rate_limit_scopes and rate_limit_usage (shared sliding windows, pauses); add jobs.waiting_reason",
        "Limited jobs in claim order: add jobs.parked; jobs_limited_ready in claim order, jobs_limited_parked per (flow, key) for jobs met with their key full",
    ];

    /// <inheritdoc />
    public int LatestSchemaVersion => SchemaVersion;

    /// <inheritdoc />
    /// <remarks>
    /// Opens the file read-only (a file that does not exist is not created: every migration is pending); an in-memory store
    /// not yet initialized has every migration pending.
    /// </remarks>
    public async Task<IReadOnlyList<SchemaMigration>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int current;
        if (_inMemory)
        {
            current = Volatile.Read(ref _commands) is null ? 0 : SchemaVersion;
        }
        else
        {
            current = await ReadSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        if (current > SchemaVersion)
        {
            throw new EnvoyException($"The database {Description} has schema version {current}, newer than this Envoy ({SchemaVersion}).");
        }

        var pending = new List<SchemaMigration>();
        for (var version = current + 1; version <= SchemaVersion; version++)
        {
            pending.Add(new SchemaMigration(version, version <= MigrationDescriptions.Length ? MigrationDescriptions[version - 1] : $"Schema version {version}"));
        }

        return pending;
    }

    private async Task<int> ReadSchemaVersionAsync(CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(_connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        if (!File.Exists(builder.DataSource))
        {
            return 0;
        }

        var connection = new SqliteConnection(builder.ToString());
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'envoy_schema'";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return 0;
                }

                command.CommandText = "SELECT coalesce(max(version), 0) FROM envoy_schema";
                return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (SqliteException ex)
            {
                throw new EnvoyException($"Cannot read the schema version of the SQLite database {Description}: {ex.Message}", ex);
            }
        }
    }
}
