using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Envoy.TestServers;

/// <summary>
/// A .NET program of the test run (a worker) started as a child process with <c>dotnet program.dll ...</c>: reads its
/// output lines, waits for one, writes commands to its standard input, and kills it with SIGKILL. The worker's standard
/// input stays open while this object lives, so a worker that exits when it closes never outlives the test run.
/// </summary>
public sealed class DotnetWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DotnetWorkerProcess(string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardInput = true, // the worker exits when this pipe closes, so it never outlives the test run
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
        _process.Exited += (_, _) =>
        {
            // Exited can be raised before the last output lines are read: drain them first, so that a line printed just
            // before the exit is seen, and an early exit reports everything the worker printed.
            _process.WaitForExit();
            _exited.TrySetResult();
        };
        _process.Start();
        Id = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The worker's process id.</summary>
    public int Id { get; }

    /// <summary>What the worker printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Starts <paramref name="dll"/> with <paramref name="args"/>.</summary>
    public static DotnetWorkerProcess Start(string dll, params string[] args) =>
        File.Exists(dll) ? new(dll, args) : throw new FileNotFoundException($"The worker is not built at {dll}; build the test project that references it.", dll);

    /// <summary>The path a test assembly recorded at build time under <c>[AssemblyMetadata(key, path)]</c>.</summary>
    public static string BuiltPath(Assembly testAssembly, string key) =>
        testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Completes with the first output line starting with <paramref name="prefix"/>; fails if the worker exits first.</summary>
    public async Task<string> WaitForLineAsync(string prefix, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((prefix, seen));
        }

        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(cancellationToken);
        if (first != seen.Task && !seen.Task.IsCompleted)
        {
            throw new InvalidOperationException($"Worker {Id} exited (code {_process.ExitCode}) before printing '{prefix}'. Output:\n{Output}");
        }

        return await seen.Task;
    }

    /// <summary>Writes one command line to the worker's standard input.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Kills the worker with SIGKILL (no chance to clean up) and waits until it is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        _process.Kill(entireProcessTree: false); // SIGKILL on Unix
        await _process.WaitForExitAsync(cancellationToken);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> matched = [];
        lock (_output)
        {
            _output.Append(line).Append('\n');
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.StartsWith(_waiters[i].Prefix, StringComparison.Ordinal))
                {
                    matched.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var seen in matched)
        {
            seen.TrySetResult(line);
        }
    }
}
