using System.Diagnostics;
using System.Text;

namespace Envoy.Packaging.Tests.Harness;

/// <summary>
/// A program started by a test (an installed tool): its output captured, a wait for a line, and the program (with its
/// children) killed by its id when the test ends.
/// </summary>
public sealed class RunningProgram : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Func<string, bool> _isAwaited;
    private readonly TaskCompletionSource<string> _awaited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunningProgram(ProcessStartInfo start, Func<string, bool> isAwaited)
    {
        _isAwaited = isAwaited;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit(); // the last lines first
            _awaited.TrySetException(new InvalidOperationException($"{start.FileName} exited with {_process.ExitCode} first."));
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>What the program printed so far.</summary>
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

    /// <summary>Starts <paramref name="start"/>, awaiting the first output line that <paramref name="isAwaited"/> accepts.</summary>
    public static RunningProgram Start(ProcessStartInfo start, Func<string, bool> isAwaited)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return new RunningProgram(start, isAwaited);
    }

    /// <summary>The awaited line; fails the test with the output when the program exits first or the timeout passes.</summary>
    public async Task<string> AwaitedLineAsync(TimeSpan timeout)
    {
        try
        {
            return await _awaited.Task.WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Assert.Fail($"{e.Message} The awaited line did not come within {timeout.TotalSeconds:F0} s. Output:\n{Output}");
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (_isAwaited(line))
        {
            _awaited.TrySetResult(line);
        }
    }
}
