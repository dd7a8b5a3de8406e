namespace Envoy.AspNetCore.Dashboard.Overview;

/// <summary>
/// The overview's throughput: how many jobs finished done and failed in each 10-second interval of the last hour, counted
/// from the store-wide <c>jobFinished</c> events (<see cref="Scheduler.StoreEvents"/>) <b>since this server started
/// counting</b>: the subscription starts with the first look at the chart (so a server nobody watches does not make the
/// workers send events) and stops after an hour without a look. Counting costs one increment per finished job, and reading
/// the chart copies 360 buckets, however many jobs the store holds.
/// </summary>
internal sealed class DashboardThroughput : IObserver<SchedulerEvent>, IDisposable
{
    /// <summary>The width of one bucket.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>How many buckets the chart shows (one hour).</summary>
    public const int Buckets = 360;

    private static readonly TimeSpan IdleStop = TimeSpan.FromHours(1);

    private readonly Scheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly long[] _slot = new long[Buckets]; // the bucket number (unix seconds / 10) each slot holds
    private readonly long[] _done = new long[Buckets];
    private readonly long[] _failed = new long[Buckets];
    private IDisposable? _subscription;
    private ITimer? _idleTimer;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _lastLook;
    private bool _disposed;

    public DashboardThroughput(Scheduler scheduler, TimeProvider time)
    {
        _scheduler = scheduler;
        _time = time;
    }

    /// <summary>The counts of the last hour (starting the count at the first call), oldest bucket first.</summary>
    public ThroughputSnapshot Read()
    {
        var now = _time.GetUtcNow();
        var current = BucketOf(now);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _lastLook = now;
            if (_subscription is null)
            {
                _startedAt = now;
                Array.Clear(_slot);
                _subscription = _scheduler.StoreEvents.Subscribe(this);
                _idleTimer = _time.CreateTimer(_ => StopWhenIdle(), null, IdleStop, IdleStop);
            }

            var times = new long[Buckets];
            var done = new long[Buckets];
            var failed = new long[Buckets];
            for (var i = 0; i < Buckets; i++)
            {
                var bucket = current - Buckets + 1 + i;
                var slot = (int)(bucket % Buckets);
                times[i] = bucket * (long)Interval.TotalSeconds;
                if (_slot[slot] == bucket)
                {
                    done[i] = _done[slot];
                    failed[i] = _failed[slot];
                }
            }

            return new ThroughputSnapshot(_startedAt, times, done, failed);
        }
    }

    void IObserver<SchedulerEvent>.OnNext(SchedulerEvent value)
    {
        if (value is not JobFinishedEvent { Status: JobStatus.Done or JobStatus.Failed } finished)
        {
            return;
        }

        // Counted when it arrives (the event's own time may come from another machine's clock).
        var bucket = BucketOf(_time.GetUtcNow());
        var slot = (int)(bucket % Buckets);
        lock (_gate)
        {
            if (_slot[slot] != bucket)
            {
                _slot[slot] = bucket;
                _done[slot] = 0;
                _failed[slot] = 0;
            }

            if (finished.Status == JobStatus.Done)
            {
                _done[slot]++;
            }
            else
            {
                _failed[slot]++;
            }
        }
    }

    void IObserver<SchedulerEvent>.OnError(Exception error)
    {
        lock (_gate)
        {
            _subscription = null; // the next look subscribes again
        }
    }

    void IObserver<SchedulerEvent>.OnCompleted()
    {
        lock (_gate)
        {
            _subscription = null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Stop();
        }
    }

    private void StopWhenIdle()
    {
        lock (_gate)
        {
            if (_time.GetUtcNow() - _lastLook >= IdleStop)
            {
                Stop();
            }
        }
    }

    /// <summary>Unsubscribes (under the lock).</summary>
    private void Stop()
    {
        _idleTimer?.Dispose();
        _idleTimer = null;
        _subscription?.Dispose();
        _subscription = null;
    }

    private static long BucketOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / (long)Interval.TotalSeconds;
}

/// <summary>A copy of the throughput buckets.</summary>
/// <param name="Since">When this server started counting.</param>
/// <param name="Times">Each bucket's start, in unix seconds, oldest first.</param>
/// <param name="Done">Jobs finished done in each bucket.</param>
/// <param name="Failed">Jobs finished failed in each bucket.</param>
internal sealed record ThroughputSnapshot(DateTimeOffset Since, long[] Times, long[] Done, long[] Failed);
