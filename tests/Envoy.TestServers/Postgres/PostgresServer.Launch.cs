using System.Globalization;
using Envoy.TestServers.Processes;
using Npgsql;

namespace Envoy.TestServers;

/// <summary>Starting the postmaster and knowing when it accepts connections.</summary>
public sealed partial class PostgresServer
{
    private const int MaxPortAttempts = 5;
    private const string AddressInUse = "Address already in use";
    private const string RecoverySyncSetting = "recovery_init_sync_method";

    private enum LaunchOutcome
    {
        Ready,
        Exited,
        TimedOut,
    }

    /// <summary>
    /// Starts the postmaster and waits until it accepts connections. On the first start a port taken between the
    /// probe and the bind is replaced by another; on a restart the port is kept, and a start refused because the
    /// previous instance is still going away is retried until the start timeout.
    /// </summary>
    private async Task LaunchAsync(bool choosePort, CancellationToken cancellationToken)
    {
        var deadline = Deadline.After(options.StartTimeout);
        for (var attempt = 1; ; attempt++)
        {
            if (choosePort)
            {
                Port = FreePort.Next();
                directory.RecordPort(Port);
            }

            var started = ServerProcess.Start(binaries.Postgres, ServerArguments(), directory.Path, binaries.RunAsUser);
            directory.RecordPid(started.Pid);
            var outcome = await WaitUntilReadyAsync(started, deadline, cancellationToken).ConfigureAwait(false);
            if (outcome == LaunchOutcome.Ready)
            {
                process = started;
                return;
            }

            var output = started.OutputTail();
            var portTaken = started.OutputContains(AddressInUse);
            var previousInstanceLingers = started.OutputContains("is still in use") || started.OutputContains("already exists");
            started.Dispose();
            var retry = outcome == LaunchOutcome.Exited && !deadline.HasPassed
                && (choosePort ? portTaken && attempt < MaxPortAttempts : portTaken || previousInstanceLingers);
            if (retry)
            {
                await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var what = outcome == LaunchOutcome.TimedOut
                ? $"did not accept connections within {options.StartTimeout.TotalSeconds:0} s"
                : "exited while starting";
            var hint = portTaken ? $" Port {Port} is taken by another process." : string.Empty;
            throw new TestServerException(
                $"PostgreSQL ({binaries.Postgres}) on {Host}:{Port} {what}.{hint} Data directory: {DataDirectory}. "
                + $"Output:{Environment.NewLine}{output}");
        }
    }

    private List<string> ServerArguments()
    {
        var arguments = new List<string>
        {
            "-D", DataDirectory,
            "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-k", directory.Path,
            "-c", "listen_addresses=" + Host,
            "-c", "fsync=on",
        };
        if (options.MaxConnections is { } maxConnections)
        {
            arguments.Add("-c");
            arguments.Add("max_connections=" + maxConnections.ToString(CultureInfo.InvariantCulture));
        }

        // Crash recovery first syncs the whole data directory; one syncfs instead of an fsync per file (about a
        // thousand) makes a start after KillAsync take well under a second instead of several on a busy disk, and
        // is just as durable. The setting exists from PostgreSQL 14.
        if (!options.Settings.ContainsKey(RecoverySyncSetting) && MajorVersion() >= 14)
        {
            arguments.Add("-c");
            arguments.Add(RecoverySyncSetting + "=syncfs");
        }

        foreach (var (name, value) in options.Settings)
        {
            arguments.Add("-c");
            arguments.Add(name + "=" + value);
        }

        return arguments;
    }

    /// <summary>
    /// Polls the postmaster.pid status line, which the postmaster sets to "ready" once it accepts connections (what
    /// pg_ctl waits on), then proves it with a real connection over TCP.
    /// </summary>
    private async Task<LaunchOutcome> WaitUntilReadyAsync(ServerProcess started, Deadline deadline, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        while (true)
        {
            if (started.HasExited)
            {
                return LaunchOutcome.Exited;
            }

            if (ReportsReady(pidFile, started.Pid) && await AcceptsConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                return LaunchOutcome.Ready;
            }

            if (deadline.HasPassed)
            {
                return LaunchOutcome.TimedOut;
            }

            await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The cluster's major version, from the PG_VERSION file initdb writes; 0 if unreadable.</summary>
    private int MajorVersion()
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(DataDirectory, "PG_VERSION")).Trim();
            return int.TryParse(text.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static bool ReportsReady(string pidFile, int pid)
    {
        try
        {
            // Line 1: the postmaster's PID; line 8: its status ("starting", "stopping", "ready", "standby").
            var lines = File.ReadAllLines(pidFile);
            return lines.Length >= 8
                && lines[0].Trim() == pid.ToString(CultureInfo.InvariantCulture)
                && lines[7].Trim() == "ready";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task<bool> AcceptsConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
        {
            // Up and serving, just full: a restart under load can meet clients that took every slot first.
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }
}
