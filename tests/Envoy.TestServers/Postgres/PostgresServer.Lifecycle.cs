using System.Globalization;
using Envoy.TestServers.Processes;

namespace Envoy.TestServers;

/// <summary>Stop, restart and kill: the faults a store must survive.</summary>
public sealed partial class PostgresServer
{
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
}
