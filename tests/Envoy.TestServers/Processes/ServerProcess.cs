using System.Diagnostics;
using System.Globalization;

namespace Envoy.TestServers.Processes;

/// <summary>
/// One child process this library started: its output is drained into a bounded tail (for error messages, and so a
/// chatty server never blocks on a full pipe), and it is registered with <see cref="ExitCleanup"/> so that it is
/// killed if the test run ends without disposing it. Signals go to this PID only, never to a name.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private const int TailLines = 200;

    private readonly Process process;
    private readonly Queue<string> tail = new();
    private readonly Lock tailLock = new();
    private int disposed;

    private ServerProcess(Process process, string description)
    {
        this.process = process;
        Description = description;
    }

    /// <summary>The process id.</summary>
    public int Pid => process.Id;

    /// <summary>The command line, for messages.</summary>
    public string Description { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>The exit code, or null while running.</summary>
    public int? ExitCode => HasExited ? process.ExitCode : null;

    /// <summary>
    /// Starts <paramref name="fileName"/> with <paramref name="arguments"/>. When <paramref name="userName"/> is set
    /// (only possible as root) the child switches to that OS user before exec, like <c>runuser -u</c> but without
    /// an intermediate process, so <see cref="Pid"/> is the server itself.
    /// </summary>
    public static ServerProcess Start(
        string fileName, IEnumerable<string> arguments, string workingDirectory, string? userName, string? standardInput = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // English, stable messages: start-up failures are matched on text such as "Address already in use".
        info.Environment["LC_ALL"] = "C";
        info.Environment["LANG"] = "C";
        if (userName is not null)
        {
            info.UserName = userName;
        }

        var description = fileName + " " + string.Join(' ', info.ArgumentList);
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process, description);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new TestServerException($"Could not start '{description}': {ex.Message}", ex);
        }

        ExitCleanup.Track(server);
        try
        {
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited at once (its output, read below, says why).
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs a command to completion and throws, with its output, if it fails or outlives the timeout.</summary>
    public static async Task RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        string? userName,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? standardInput = null)
    {
        using var command = Start(fileName, arguments, workingDirectory, userName, standardInput);
        if (!await command.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            command.KillTree();
            throw new TestServerException(
                $"'{command.Description}' did not finish within {timeout.TotalSeconds:0} s. Output:{Environment.NewLine}{command.OutputTail()}");
        }

        if (command.ExitCode != 0)
        {
            throw new TestServerException(
                $"'{command.Description}' failed with exit code {command.ExitCode}. Output:{Environment.NewLine}{command.OutputTail()}");
        }
    }

    /// <summary>The last lines the process wrote to stdout and stderr.</summary>
    public string OutputTail()
    {
        lock (tailLock)
        {
            return tail.Count == 0 ? "(no output)" : string.Join(Environment.NewLine, tail);
        }
    }

    /// <summary>Whether the process wrote <paramref name="text"/> (among its last lines).</summary>
    public bool OutputContains(string text)
    {
        lock (tailLock)
        {
            return tail.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Sends a signal to this process only. Returns false if it had already exited.</summary>
    public bool Signal(int signal)
    {
        if (HasExited)
        {
            return false;
        }

        return NativeMethods.Kill(Pid, signal) == 0;
    }

    /// <summary>SIGKILL to this process and every process it started (PostgreSQL's backends).</summary>
    public void KillTree()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits for the exit; false if the timeout passed first. Also waits for the output to be drained.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Kills the process tree if still running and releases the handle.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        KillTree();
        ExitCleanup.Untrack(this);
        process.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid}: {Description}");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (tailLock)
        {
            if (tail.Count == TailLines)
            {
                tail.Dequeue();
            }

            tail.Enqueue(line);
        }
    }
}
