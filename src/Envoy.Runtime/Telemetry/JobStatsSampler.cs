namespace Envoy;

/// <summary>
/// A started scheduler's job stats for <see cref="JobStatsGauges"/>: the last read, served at once, and a new read started in
/// the background when it is older than a second (at most one at a time). Nothing is read until a listener collects.
/// </summary>
internal sealed class JobStatsSampler(string store, Func<CancellationToken, Task<JobStats>> read, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);
    private JobStats? _last;
    private DateTimeOffset _readAt;
    private int _reading;

    /// <summary>The store the stats are of (its description).</summary>
    public string Store { get; } = store;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The last stats read (null before the first read ends); starts a read when they are older than a second.</summary>
    public JobStats? Sample()
    {
        var last = Volatile.Read(ref _last);
        if ((last is null || time.GetUtcNow() - _readAt >= MaxAge) && Interlocked.CompareExchange(ref _reading, 1, 0) == 0)
        {
            _ = ReadAsync();
        }

        return last;
    }

    private async Task ReadAsync()
    {
        try
        {
            await Task.Yield();
            var stats = await read(CancellationToken.None).ConfigureAwait(false);
            _readAt = time.GetUtcNow();
            Volatile.Write(ref _last, stats);
        }
#pragma warning disable CA1031 // A failed read keeps the last stats; the next collection tries again.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }
}
