namespace Envoy.Storage.Conformance;

/// <summary>
/// A search term that is a whole job id finds that job by a direct lookup (not a scan of every job's text), as long as the job
/// passes the other filters; otherwise the term is searched for as text.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Scheduler_SearchForAWholeJobId_ListsThatJobAlone_ByADirectLookup()
    {
        var scheduler = NewScheduler();
        var first = NewFlow("first");
        var second = NewFlow("second");
        scheduler.AddFlow(first, Chain(runs: null));
        scheduler.AddFlow(second, Chain(runs: null));

        // Not started: the jobs stay pending. The second job's input mentions the first job's id.
        var id = await scheduler.ScheduleAsync(first, 1, new ScheduleOptions { Delay = TimeSpan.FromHours(1) });
        var mentions = await scheduler.ScheduleAsync(second, new { about = id }, new ScheduleOptions { Delay = TimeSpan.FromHours(1) });

        Assert.Equal([id], (await scheduler.ListJobsAsync(new JobQuery { Search = id })).Select(j => j.Id));
        Assert.Equal([id], (await scheduler.ListJobsAsync(new JobQuery { Search = id.ToUpperInvariant() })).Select(j => j.Id));
        Assert.Equal([id], (await scheduler.ListJobsAsync(new JobQuery { Search = id, Status = JobStatus.Pending, Flow = first })).Select(j => j.Id));
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Search = id, Offset = 1 }));

        // The job with that id does not pass the other filters: the term is searched for as text.
        Assert.Equal([mentions], (await scheduler.ListJobsAsync(new JobQuery { Search = id, Flow = second })).Select(j => j.Id));
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Search = id, Status = JobStatus.Done }));

        // An id of no job is searched for as text; a part of an id too.
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Search = NewId(), Flow = first }));
        Assert.Equal(
            new[] { id, mentions }.Order(StringComparer.Ordinal),
            (await scheduler.ListJobsAsync(new JobQuery { Search = id[..13] })).Select(j => j.Id).Order(StringComparer.Ordinal));
    }
}
