using System.Diagnostics;
using System.Text;

namespace Envoy.Cli.Tests.Harness;

/// <summary>
/// The built CLI running as a process whose output is read as it comes (for commands that follow something, such as
/// <c>envoy watch</c>), with the same clean environment as <see cref="EnvoyCli"/>; killed when disposed if still running.
/// </summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _commandLine;

    private RunningCli(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(EnvoyCli.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(EnvoyCli.CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "ENVOY_URL", "ENVOY_KEY", "NO_COLOR", "XDG_CONFIG_HOME" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ENVOY_CONFIG"] = Path.Combine(Path.GetTempPath(), "envoy-cli-tests-no-such-config.json");
        _commandLine = string.Join(' ', args);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdout);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderr);
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit(); // drains the last output lines first
            _exited.TrySetResult();
        };
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts <c>envoy</c> with <paramref name="args"/>.</summary>
    public static RunningCli Start(params string[] args) =>
        File.Exists(EnvoyCli.CliDll) ? new RunningCli(args) : throw new FileNotFoundException($"Envoy.Cli is not built at {EnvoyCli.CliDll}.", EnvoyCli.CliDll);

    /// <summary>Completes with the first standard-output line starting with <paramref name="prefix"/>; fails if the CLI exits first.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            var earlier = _stdout.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((prefix, seen));
        }

        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(timeout);
        if (first != seen.Task && !seen.Task.IsCompleted)
        {
            throw new InvalidOperationException($"envoy exited before printing '{prefix}'.\n{await WaitForExitAsync(timeout)}");
        }

        return await seen.Task;
    }

    /// <summary>Waits for the CLI to exit within <paramref name="timeout"/> and returns how it ended.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"envoy {_commandLine} did not exit within {timeout.TotalSeconds:0} s.\nstdout:\n{Read(_stdout)}\nstderr:\n{Read(_stderr)}");
        }

        return new CliResult(_process.ExitCode, Read(_stdout), Read(_stderr), _commandLine);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        _process.Dispose();
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private void OnLine(string? line, StringBuilder into)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> matched = [];
        lock (into)
        {
            into.Append(line).Append('\n');
            if (into == _stdout)
            {
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (line.StartsWith(_waiters[i].Prefix, StringComparison.Ordinal))
                    {
                        matched.Add(_waiters[i].Seen);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        foreach (var seen in matched)
        {
            seen.TrySetResult(line);
        }
    }
}
