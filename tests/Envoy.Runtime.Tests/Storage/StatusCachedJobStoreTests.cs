using System.Collections.Concurrent;
using System.Reflection;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Storage;

/// <summary>
/// The runtime's status cache in front of a store (<see cref="StatusCachedJobStore"/>): fed with the statuses the store's
/// transactions wrote, it serves status reads and counts; what the store changed without knowing the new status is forgotten.
/// </summary>
public sealed class StatusCachedJobStoreTests : IAsyncDisposable
{
    private readonly FakeCache _cache = new();
    private readonly FakeAccelerator _accelerator;

    public StatusCachedJobStoreTests() => _accelerator = new FakeAccelerator(_cache);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _accelerator.DisposeAsync();

    [Fact]
    public async Task BeforeTheStoreKnowsItsIdentity_StatusReadsGoToTheStore()
    {
        var (cached, store) = Compose();

        Assert.Equal(JobStatus.Pending, await cached.GetJobStatusAsync("job-1"));

        Assert.False(cached.IsCaching);
        Assert.Equal(1, store.Calls(nameof(IJobQueryStore.GetJobStatusAsync)));
        Assert.Empty(_accelerator.Scopes);
    }

    [Fact]
    public async Task WrittenStatuses_ServeStatusReads_WithoutAStoreRead()
    {
        var (cached, store) = Compose();
        store.Observer!.StoreIdentified("store-a");
        store.Observer.StatusesWritten([new CachedJobStatus("job-1", JobStatus.Running, 1)], []);

        Assert.Equal(JobStatus.Running, await cached.GetJobStatusAsync("job-1"));

        Assert.Equal("store-a", Assert.Single(_accelerator.Scopes));
        Assert.Equal(0, store.Calls(nameof(IJobStatusSource.ReadJobStatusAsync)));
        Assert.Equal(0, store.Calls(nameof(IJobQueryStore.GetJobStatusAsync)));
    }

    [Fact]
    public async Task AMiss_ReadsTheStoreWithTheVersion_AndCachesIt()
    {
        var (cached, store) = Compose();
        store.Observer!.StoreIdentified("store-a");

        Assert.Equal(JobStatus.Pending, await cached.GetJobStatusAsync("job-1"));
        Assert.Equal(JobStatus.Pending, await cached.GetJobStatusAsync("job-1"));

        Assert.Equal(1, store.Calls(nameof(IJobStatusSource.ReadJobStatusAsync)));
        Assert.Equal(new CachedJobStatus("job-1", JobStatus.Pending, 7), _cache.Entries["job-1"]);
        Assert.Null(await cached.GetJobStatusAsync("unknown"));
    }

    [Fact]
    public async Task JobsChangedWithoutAKnownStatus_AreForgotten_SoTheNextReadGoesToTheStore()
    {
        var (cached, store) = Compose();
        store.Observer!.StoreIdentified("store-a");
        store.Observer.StatusesWritten([new CachedJobStatus("job-1", JobStatus.Running, 1)], []);

        store.Observer.StatusesWritten([], ["job-1"]);

        Assert.Equal(JobStatus.Pending, await cached.GetJobStatusAsync("job-1"));
        Assert.Equal(1, store.Calls(nameof(IJobStatusSource.ReadJobStatusAsync)));
    }

    [Fact]
    public async Task Counts_AreCountedOnce_ThenServedFromTheCache()
    {
        var (cached, store) = Compose();
        store.Observer!.StoreIdentified("store-a");

        Assert.Equal(3, (await cached.CountJobsAsync())[JobStatus.Pending]);
        Assert.Equal(3, (await cached.CountJobsAsync())[JobStatus.Pending]);

        Assert.Equal(1, store.Calls(nameof(IJobQueryStore.CountJobsAsync)));
        Assert.Equal(TimeSpan.FromSeconds(1), _cache.CountsTimeToLive);
    }

    [Fact]
    public async Task EverythingElse_GoesToTheStore()
    {
        var (cached, store) = Compose();

        Assert.Null(await cached.GetJobAsync("job-1"));
        await cached.InitializeAsync();

        Assert.Equal(1, store.Calls(nameof(IJobQueryStore.GetJobAsync)));
        Assert.Equal(1, store.Calls(nameof(IJobStore.InitializeAsync)));
        Assert.Equal("fake", cached.Description);
    }

    [Fact]
    public void AStoreThatDoesNotReportItsStatuses_IsRefused()
    {
        var store = DispatchProxy.Create<IJobStore, FakeStatusStore>();
        Assert.Throws<ArgumentException>(() => new StatusCachedJobStore(store, _accelerator));
    }

    private (StatusCachedJobStore Cached, FakeStatusStore Store) Compose()
    {
        var proxy = DispatchProxy.Create<IReportingStore, FakeStatusStore>();
        var cached = new StatusCachedJobStore(proxy, _accelerator);
        var store = (FakeStatusStore)(object)proxy;
        Assert.Same(cached, store.Observer);
        return (cached, store);
    }

    private sealed class FakeCache : IJobStatusCache
    {
        private IReadOnlyDictionary<JobStatus, long>? _counts;

        public ConcurrentDictionary<string, CachedJobStatus> Entries { get; } = new(StringComparer.Ordinal);

        public TimeSpan CountsTimeToLive { get; private set; }

        public void Put(IReadOnlyList<CachedJobStatus> statuses)
        {
            foreach (var status in statuses)
            {
                Entries.AddOrUpdate(status.JobId, status, (_, current) => current.Version <= status.Version ? status : current);
            }
        }

        public void Forget(IReadOnlyList<string> jobIds)
        {
            foreach (var id in jobIds)
            {
                Entries.TryRemove(id, out _);
            }
        }

        public Task<CachedJobStatus?> GetAsync(string jobId, CancellationToken cancellationToken = default) =>
            Task.FromResult<CachedJobStatus?>(Entries.TryGetValue(jobId, out var entry) ? entry : null);

        public void PutCounts(IReadOnlyDictionary<JobStatus, long> counts, TimeSpan timeToLive)
        {
            _counts = counts;
            CountsTimeToLive = timeToLive;
        }

        public Task<IReadOnlyDictionary<JobStatus, long>?> GetCountsAsync(CancellationToken cancellationToken = default) => Task.FromResult(_counts);
    }

    private sealed class FakeAccelerator(FakeCache cache) : ICoordinationAccelerator
    {
        public List<string> Scopes { get; } = [];

        public bool IsAvailable => true;

        public IJobStatusCache CreateStatusCache(string scope)
        {
            Scopes.Add(scope);
            return cache;
        }

        public ILeaderLock CreateLeaderLock(string name) => throw new NotSupportedException();

        public void Broadcast(JobSignal signal) => throw new NotSupportedException();

        public IDisposable OnReceive(Action<JobSignal> handler) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
