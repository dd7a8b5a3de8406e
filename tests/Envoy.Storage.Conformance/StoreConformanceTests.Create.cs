namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task CreateJob_InsertsPendingJobWithEveryField()
    {
        var flow = NewFlow();
        var parent = await CreateAsync(flow);
        var key = "key-" + NewId();
        var job = JobOf(flow, priority: 7, runAt: T0 + 500, createdAt: T0 - 100, parentId: parent, key: key, input: new { n = 42 });

        var id = await Store.CreateJobAsync(job);

        Assert.Equal(job.Id, id);
        var stored = await GetAsync(id);
        Assert.Equal(id, stored.Id);
        Assert.Equal(flow, stored.Flow);
        Assert.Equal(JobStatus.Pending, stored.Status);
        AssertSameJson(job.ContextJson, stored.ContextJson);
        Assert.Equal(42, StateContext.Deserialize(stored.ContextJson).Input()?["n"]?.GetValue<int>());
        Assert.Equal(7, stored.Priority);
        Assert.Equal(T0 + 500, stored.RunAtMs);
        Assert.Equal(T0 - 100, stored.CreatedAtMs);
        Assert.Equal(T0 - 100, stored.UpdatedAtMs);
        Assert.Null(stored.StartedAtMs);
        Assert.Null(stored.FinishedAtMs);
        Assert.Null(stored.Error);
        Assert.Equal(parent, stored.ParentId);
        Assert.Equal(0, stored.Retries);
        Assert.Equal(0, stored.Attempts);
        Assert.Equal(key, stored.IdempotencyKey);
        Assert.Empty(stored.Resolutions);
    }

    [Fact]
    public async Task CreateJob_RecordsScheduledInHistory()
    {
        var id = await CreateAsync(NewFlow(), createdAt: T0 + 5);

        var history = await HistoryAsync(id);

        var entry = Assert.Single(history);
        Assert.Equal(id, entry.JobId);
        Assert.Equal(JobEventKind.Scheduled, entry.Kind);
        Assert.Equal(JobStatus.Pending, entry.To);
        Assert.Equal(At(T0 + 5), entry.At);
    }

    [Fact]
    public async Task CreateJob_SameIdempotencyKey_ReturnsFirstJobAndInsertsNothing()
    {
        var flow = NewFlow();
        var key = "key-" + NewId();
        var first = await CreateAsync(flow, key: key);
        var again = JobOf(flow, key: key, priority: 9);

        var id = await Store.CreateJobAsync(again);

        Assert.Equal(first, id);
        Assert.Null(await Store.GetJobAsync(again.Id));
        Assert.Null(await Store.GetHistoryAsync(again.Id));
        var listed = Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow }));
        Assert.Equal(first, listed.Id);
        Assert.Equal(0, listed.Priority);
    }

    [Fact]
    public async Task CreateJob_ConcurrentCreatesWithOneKey_CreateOneJob()
    {
        var flow = NewFlow();
        var key = "key-" + NewId();
        var second = await SecondInstanceOrStoreAsync();
        var attempts = Enumerable.Range(0, 24).Select(i => JobOf(flow, key: key)).ToList();

        var ids = await Task.WhenAll(attempts.Select((job, i) => Task.Run(() => (i % 2 == 0 ? Store : second).CreateJobAsync(job))));

        var id = Assert.Single(ids.Distinct());
        Assert.Contains(id, attempts.Select(a => a.Id));
        var listed = Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow }));
        Assert.Equal(id, listed.Id);
        Assert.Single(await HistoryAsync(id));
    }

    [Fact]
    public async Task CreateJob_DifferentKeysOrNoKey_CreateSeparateJobs()
    {
        var flow = NewFlow();

        var a = await CreateAsync(flow, key: "a-" + NewId());
        var b = await CreateAsync(flow, key: "b-" + NewId());
        var c = await CreateAsync(flow);
        var d = await CreateAsync(flow);

        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
        Assert.Equal(4, (await Store.ListJobsAsync(new JobQuery { Flow = flow })).Count);
    }

    [Fact]
    public async Task GetJob_UnknownId_IsNull()
    {
        Assert.Null(await Store.GetJobAsync(NewId()));
        Assert.Null(await Store.GetHistoryAsync(NewId()));
        Assert.Null(await Store.GetEscalationAsync("w_" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task InitializeAsync_Twice_IsHarmless()
    {
        var id = await CreateAsync(NewFlow());

        await Store.InitializeAsync();

        Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);
    }
}
