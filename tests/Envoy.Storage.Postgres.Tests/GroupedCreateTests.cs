using Envoy.Runtime.Storage;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>Concurrent creates share transactions; each caller still gets the outcome of its own job.</summary>
[Collection(SharedServers.Name)]
public sealed class GroupedCreateTests(PostgresFixture postgres)
{
    private const long T0 = 1_700_000_000_000;

    [Fact]
    public async Task ConcurrentCreates_OneBadJob_FailsAlone_AndTheOthersAreInsertedWhole()
    {
        await using var store = await OpenStoreAsync();
        var good = Enumerable.Range(0, 300).Select(i => JobOf($"{{\"state\":\"A\",\"input\":{i}}}")).ToList();
        var bad = JobOf("{ this is not json");

        var creates = good.Take(150).Select(job => store.CreateJobAsync(job)).ToList();
        var badCreate = store.CreateJobAsync(bad);
        creates.AddRange(good.Skip(150).Select(job => store.CreateJobAsync(job)));

        var ids = await Task.WhenAll(creates);
#pragma warning disable VSTHRD003 // The test started this create itself, above.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => badCreate);
#pragma warning restore VSTHRD003

        Assert.Contains("json", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(good.Select(job => job.Id), ids);
        Assert.Null(await store.GetJobAsync(bad.Id));
        foreach (var job in good)
        {
            var stored = await store.GetJobAsync(job.Id);
            Assert.NotNull(stored);
            Assert.Equal(JobStatus.Pending, stored.Status);
            Assert.Equal(JobEventKind.Scheduled, Assert.Single((await store.GetHistoryAsync(job.Id))!).Kind);
        }
    }

    [Fact]
    public async Task ConcurrentCreates_WithOneIdempotencyKey_InOneBatch_AllGetTheFirstJob()
    {
        await using var store = await OpenStoreAsync();
        var jobs = Enumerable.Range(0, 50).Select(i => JobOf("{\"state\":\"A\"}", key: "same-key")).ToList();

        var ids = await Task.WhenAll(jobs.Select(job => store.CreateJobAsync(job)));

        var winner = Assert.Single(ids.Distinct(StringComparer.Ordinal));
        Assert.Contains(winner, jobs.Select(job => job.Id));
        Assert.Single(await store.ListJobsAsync(new JobQuery { Flow = "grouped" }));
    }

    [Fact]
    public async Task Create_CancelledWhileQueued_InsertsNothing()
    {
        await using var store = await OpenStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var job = JobOf("{\"state\":\"A\"}");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CreateJobAsync(job, cancelled.Token));

        Assert.Null(await store.GetJobAsync(job.Id));
    }

    private async Task<PostgresJobStore> OpenStoreAsync()
    {
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = await postgres.CreateFreshDatabaseAsync() });
        await store.InitializeAsync();
        return store;
    }

    private static NewJob JobOf(string contextJson, string? key = null) =>
        new(Guid.NewGuid().ToString(), "grouped", contextJson, 0, T0, T0, null, null, key);
}
