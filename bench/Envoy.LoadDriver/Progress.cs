using System.Diagnostics;

namespace Envoy.LoadDriver;

/// <summary>Prints a progress line on stderr every second while a phase runs.</summary>
internal sealed class Progress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Progress(string phase, JobTracker tracker, Func<long> scheduled, long totalTop, bool quiet)
    {
        _loop = quiet ? Task.CompletedTask : Task.Run(() => RunAsync(phase, tracker, scheduled, totalTop, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // The loop was started by this instance.
        await _loop;
#pragma warning restore VSTHRD003
        _stop.Dispose();
    }

    private static async Task RunAsync(string phase, JobTracker tracker, Func<long> scheduled, long totalTop, CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        var lastSteps = tracker.StepsCommitted;
        var lastTs = start;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = Stopwatch.GetTimestamp();
                var steps = tracker.StepsCommitted;
                var rate = (steps - lastSteps) / Stopwatch.GetElapsedTime(lastTs, now).TotalSeconds;
                lastSteps = steps;
                lastTs = now;
                await Console.Error.WriteLineAsync(
                    $"[{phase} {Measures.F(Stopwatch.GetElapsedTime(start, now).TotalSeconds, 1),6}s] scheduled {scheduled()}/{totalTop} " +
                    $"finished jobs {tracker.JobsFinished} (top {tracker.TopFinished}) steps {steps} ({Measures.F(rate, 0)}/s) " +
                    $"rss {Measures.F(Measures.RssMb(), 0)} MB");
            }
        }
        catch (OperationCanceledException)
        {
            // The phase ended.
        }
    }
}
