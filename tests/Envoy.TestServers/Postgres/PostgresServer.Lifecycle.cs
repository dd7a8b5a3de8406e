using System.Globalization;
using Envoy.TestServers.Processes;
using Npgsql;

namespace Envoy.TestServers;

/// <summary>Stop, restart and kill: the faults a store must survive.</summary>
public sealed partial class PostgresServer
{
    private const int MaxPortAttempts = 5;
    private const string AddressInUse = "Address already in use";

    private enum LaunchOutcome
    {
        Ready,
        Exited,
        TimedOut,
    }

    /// <summary>
    /// Fast shutdown: SIGINT to the postmaster, which rolls back open transactions, disconnects every client,
    /// checkpoints and exits; waits for the exit (SIGKILL past <see cref="PostgresServerOptions.StopTimeout"/>).
    /// Does nothing if already stopped.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait (the server may then still be stopping).</param>
    /// <returns>A task that completes when the postmaster has exited.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync(NativeMethods.SigInt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Starts the stopped (or killed) server again on the same port and data. Does nothing if running.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server accepts connections again.</returns>
    /// <exception cref="TestServerException">It did not come back (the message has its output).</exception>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed != 0, this);
            if (!IsRunning)
            {
                await LaunchAsync(choosePort: false, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// <see cref="StopAsync"/> then <see cref="StartAgainAsync"/>: "PostgreSQL restarted under load". Clients see
    /// their connections terminated; pooled connections fail on next use until the pool replaces them.
    /// </summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task that completes when the server accepts connections again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed != 0, this);
            await StopCoreAsync(NativeMethods.SigInt, cancellationToken).ConfigureAwait(false);
            await LaunchAsync(choosePort: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// A crash: SIGKILL to the postmaster and all its backends, no shutdown checkpoint. <see cref="StartAgainAsync"/>
    /// then runs crash recovery from the WAL, so committed transactions must survive.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the processes to be gone.</param>
    /// <returns>A task that completes when no process of this server is left.</returns>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = process;
            if (current is null)
            {
                return;
            }

            process = null;
            current.KillTree();
            await current.WaitForExitAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false);
            current.Dispose();
            await WaitUntilNoBackendLeftAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate shutdown (crash-like, no checkpoint).</summary>
    private async Task StopCoreAsync(int signal, CancellationToken cancellationToken)
    {
        var current = process;
        if (current is null)
        {
            return;
        }

        process = null;
        try
        {
            current.Signal(signal);
            if (!await current.WaitForExitAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                current.KillTree();
                await current.WaitForExitAsync(options.StopTimeout, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            current.Dispose();
        }

        await WaitUntilNoBackendLeftAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every backend's working directory is the data directory; after a kill they are SIGKILLed too but may take a
    /// moment to die, and a new postmaster refuses to start while one still holds the old shared memory.
    /// </summary>
    private async Task WaitUntilNoBackendLeftAsync(CancellationToken cancellationToken)
    {
        var deadline = Deadline.After(options.StopTimeout);
        while (AnyProcessRunsInDataDirectory() && !deadline.HasPassed)
        {
            await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool AnyProcessRunsInDataDirectory()
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ServerDirectory.RunsIn(pid, DataDirectory))
            {
                return true;
            }
        }

        return false;
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
            "-c", "max_connections=" + options.MaxConnections.ToString(CultureInfo.InvariantCulture),
            "-c", "fsync=on",
        };
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
