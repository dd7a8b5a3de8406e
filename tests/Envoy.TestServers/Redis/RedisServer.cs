using System.Globalization;
using System.Net.Sockets;
using Envoy.TestServers.Processes;

namespace Envoy.TestServers;

/// <summary>
/// A throwaway redis-server for tests, on a free 127.0.0.1 port, without persistence (no RDB, no AOF), in a
/// temporary folder. It can be stopped and started again on the same port (empty, as after a real restart without
/// persistence), flushed, or killed, to test that Redis is only an accelerator. Disposing stops it by PID.
/// </summary>
/// <example>
/// <code>
/// await using var redis = await RedisServer.StartAsync(cancellationToken);
/// using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
/// </code>
/// </example>
public sealed class RedisServer : IAsyncDisposable
{
    private const int MaxPortAttempts = 5;
    private const string AddressInUse = "Address already in use";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    private readonly RedisServerOptions options;
    private readonly string serverPath;
    private readonly ServerDirectory directory;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ServerProcess? process;
    private int disposed;

    private RedisServer(RedisServerOptions options, string serverPath, ServerDirectory directory)
    {
        this.options = options;
        this.serverPath = serverPath;
        this.directory = directory;
    }

    /// <summary>The address the server listens on: always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port, chosen at start and kept when started again.</summary>
    public int Port { get; private set; }

    /// <summary>"127.0.0.1:port", the StackExchange.Redis configuration string.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The server's PID; it changes when started again.</summary>
    /// <exception cref="InvalidOperationException">The server is stopped.</exception>
    public int Pid => process?.Pid ?? throw new InvalidOperationException("The Redis server is not running.");

    /// <summary>Whether the server is running.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>Starts a server with the default options.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The server, answering PING.</returns>
    /// <exception cref="TestServerException">redis-server is not installed, or did not start (the message has its output).</exception>
    public static Task<RedisServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new RedisServerOptions(), cancellationToken);

    /// <summary>Starts a server on a free port in a new temporary folder.</summary>
    /// <param name="options">How to run it; copied.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The server, answering PING.</returns>
    /// <exception cref="TestServerException">redis-server is not installed, or did not start (the message has its output).</exception>
    public static async Task<RedisServer> StartAsync(RedisServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy();
        options.Validate();
        var serverPath = RedisBinary.Find(options.ServerPath);
        ServerDirectory.ReapStale();

        var server = new RedisServer(options, serverPath, ServerDirectory.Create("redis"));
        try
        {
            await server.LaunchAsync(choosePort: true, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server: SIGTERM to its PID, then SIGKILL past the stop timeout. Does nothing if stopped.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the server has exited.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync(NativeMethods.SigTerm, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Starts the stopped (or killed) server again, on the same port, empty. Does nothing if running.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server answers PING.</returns>
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

    /// <summary><see cref="StopAsync"/> then <see cref="StartAgainAsync"/>: "Redis restarted under load".</summary>
    /// <param name="cancellationToken">Cancels the restart.</param>
    /// <returns>A task that completes when the server answers PING again.</returns>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await StartAgainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A crash: SIGKILL to the server's PID.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the process is gone.</returns>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopCoreAsync(NativeMethods.SigKill, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>FLUSHALL: deletes every key in every database ("Redis flushed under load").</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A task that completes when Redis has replied.</returns>
    /// <exception cref="TestServerException">Redis refused the command.</exception>
    public async Task FlushAllAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Resp.SendAsync(Host, Port, CommandTimeout, cancellationToken, "FLUSHALL").ConfigureAwait(false);
        if (reply != "+OK")
        {
            throw new TestServerException($"FLUSHALL on {Endpoint} replied '{reply}'.");
        }
    }

    /// <summary>The last lines the server logged, for diagnosing a failing test.</summary>
    /// <returns>Up to 200 lines of the server's output.</returns>
    public string RecentOutput() => process?.OutputTail() ?? "(not running)";

    /// <summary>Stops the server and deletes its folder.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCoreAsync(NativeMethods.SigTerm, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            directory.Dispose();
            gate.Release();
            gate.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Redis on {Endpoint} ({(IsRunning ? "running" : "stopped")})";

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
            if (signal == NativeMethods.SigKill)
            {
                current.KillTree();
            }
            else
            {
                current.Signal(signal);
            }

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
    }

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

            var started = ServerProcess.Start(serverPath, Arguments(), directory.Path, userName: null);
            directory.RecordPid(started.Pid);
            var exited = false;
            while (!deadline.HasPassed)
            {
                if (started.HasExited)
                {
                    exited = true;
                    break;
                }

                if (await AnswersPingAsync(cancellationToken).ConfigureAwait(false))
                {
                    process = started;
                    return;
                }

                await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
            }

            var output = started.OutputTail();
            var portTaken = started.OutputContains(AddressInUse);
            started.Dispose();
            var retry = exited && portTaken && !deadline.HasPassed && (!choosePort || attempt < MaxPortAttempts);
            if (retry)
            {
                await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var what = exited ? "exited while starting" : $"did not answer PING within {options.StartTimeout.TotalSeconds:0} s";
            var hint = portTaken ? $" Port {Port} is taken by another process." : string.Empty;
            throw new TestServerException($"redis-server ({serverPath}) on {Endpoint} {what}.{hint} Output:{Environment.NewLine}{output}");
        }
    }

    private List<string> Arguments()
    {
        var arguments = new List<string>
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", Host,
            "--save", string.Empty,
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", directory.Path,
        };
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Resp.SendAsync(Host, Port, CommandTimeout, cancellationToken, "PING").ConfigureAwait(false) == "+PONG";
        }
        catch (Exception ex) when (ex is SocketException or IOException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }
}
