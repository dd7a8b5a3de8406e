using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Envoy.Cli.Api;
using Envoy.Runtime.Storage;
using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy migrate --sqlite PATH | --postgres CONNSTRING [--dry-run]</c>: creates or upgrades a store's schema without a
/// server, with the store's own migrations (<see cref="IJobStore.InitializeAsync"/>): idempotent, and safe from many processes
/// at once (SQLite: one immediate transaction; PostgreSQL: a transaction-scoped advisory lock). <c>--dry-run</c> lists the
/// pending migrations (<see cref="ISchemaMigrations.GetPendingMigrationsAsync"/>) and changes nothing.
/// </summary>
internal static class MigrateCommand
{
    private static readonly Option<string?> Sqlite = new("--sqlite") { Description = "The SQLite database file", HelpName = "PATH" };

    private static readonly Option<string?> Postgres = new("--postgres")
    {
        Description = "The PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...)",
        HelpName = "CONNSTRING",
    };

    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "List the pending migrations and change nothing" };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("migrate", "Create or upgrade a store's schema (no server needed)") { Sqlite, Postgres, DryRun };
        command.Validators.Add(result =>
        {
            if (string.IsNullOrEmpty(result.GetValue(Sqlite)) == string.IsNullOrEmpty(result.GetValue(Postgres)))
            {
                result.AddError("Give exactly one of --sqlite PATH and --postgres CONNSTRING.");
            }
        });
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var dryRun = context.Get(DryRun);
        var store = Open(context.Get(Sqlite), context.Get(Postgres), dryRun);
        await using (store.ConfigureAwait(false))
        {
            try
            {
                var migrations = (ISchemaMigrations)store;
                var pending = await migrations.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false);
                if (!dryRun)
                {
                    await context.Output.SpinAsync($"Migrating {store.Description}", async () =>
                    {
                        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                        return true;
                    }).ConfigureAwait(false);
                }

                var report = new MigrationReport(
                    store.Description,
                    dryRun,
                    migrations.LatestSchemaVersion,
                    pending.Select(m => new MigrationItem(m.Version, m.Description)).ToList(),
                    UpToDate: !dryRun || pending.Count == 0);
                Print(context, report);
                return ExitCodes.Ok;
            }
            catch (EnvoyException ex)
            {
                throw Map(ex);
            }
        }
    }

    private static IJobStore Open(string? sqlite, string? postgres, bool dryRun)
    {
        if (!string.IsNullOrEmpty(sqlite))
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(sqlite));
            if (!dryRun && folder is not null && !Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
            }

            return new SqliteJobStore(new SqliteConfig { Path = sqlite });
        }

        try
        {
            return new PostgresJobStore(new PostgresConfig { ConnectionString = postgres!, Listen = false, MaxPoolSize = 2 });
        }
        catch (EnvoyConfigurationException ex)
        {
            throw CliException.Usage($"--postgres is not a valid connection string: {string.Join("; ", ex.Errors)}", ex);
        }
        catch (ArgumentException ex)
        {
            throw CliException.Usage($"--postgres is not a valid connection string: {ex.Message}", ex);
        }
    }

    private static void Print(CommandContext context, MigrationReport report)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(JsonSerializer.Serialize(report, CliJsonContext.Default.MigrationReport));
            return;
        }

        var output = context.Output;
        if (report.Pending.Count == 0)
        {
            output.Line(string.Create(CultureInfo.InvariantCulture, $"{report.Store}: schema up to date (version {report.SchemaVersion}); nothing to do."));
            return;
        }

        output.Line(report.DryRun
            ? string.Create(CultureInfo.InvariantCulture, $"{report.Store}: {report.Pending.Count} pending migration(s) (dry run: nothing changed):")
            : string.Create(CultureInfo.InvariantCulture, $"{report.Store}: migrated to schema version {report.SchemaVersion}; pending before:"));
        foreach (var migration in report.Pending)
        {
            output.Line(string.Create(CultureInfo.InvariantCulture, $"  {migration.Version,3}  {migration.Description}"));
        }
    }

    private static CliException Map(EnvoyException ex)
    {
        for (Exception? inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is Npgsql.NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException }
                or System.Net.Sockets.SocketException or TimeoutException)
            {
                return new CliException(ExitCodes.Unreachable, ex.Message, ex);
            }

            if (inner is Microsoft.Data.Sqlite.SqliteException)
            {
                return CliException.Usage(ex.Message, ex);
            }
        }

        return new CliException(ExitCodes.ServerError, ex.Message, ex);
    }
}
