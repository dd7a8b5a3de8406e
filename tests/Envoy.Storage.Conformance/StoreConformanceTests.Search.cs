using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// <see cref="JobQuery.Search"/>: a case-insensitive substring of the id, flow, error, scheduled input or current output; every
/// character literal, the term a parameter.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ListJobs_Search_MatchesTheInputOutputErrorIdAndFlow_IgnoringCase()
    {
        var flow = NewFlow("searchable");
        // Due in the order they are claimed below; the others stay pending (not due yet).
        var byInput = await Store.CreateJobAsync(JobOf(flow, createdAt: T0, runAt: T0 + 10_000, input: new { customer = "Zanzibar Trading" }));
        var byOutput = await CreateAsync(flow, createdAt: T0 + 1, runAt: T0);
        await FinishWithOutputAsync(flow, byOutput, new { receipt = "Quokka-Receipt-9" });
        var byError = await CreateAsync(flow, createdAt: T0 + 2, runAt: T0 + 1);
        var failed = await ClaimOneAsync(flow, byError, now: T0 + 200);
        Assert.True(await CommitOneAsync(StepOf(failed, JobStatus.Failed, now: T0 + 201) with { Error = "Payment gateway Timeout at Narwhal" }));
        var plain = await CreateAsync(flow, createdAt: T0 + 3, runAt: T0 + 10_000);

        Assert.Equal([byInput], await SearchAsync(flow, "zanzibar trad"));
        Assert.Equal([byInput], await SearchAsync(flow, "ZANZIBAR"));
        Assert.Equal([byOutput], await SearchAsync(flow, "quokka-receipt"));
        Assert.Equal([byError], await SearchAsync(flow, "timeout at narwhal"));
        Assert.Equal([plain], await SearchAsync(flow, plain[..13].ToUpperInvariant()));
        Assert.Equal([plain, byError, byOutput, byInput], await SearchAsync(flow, flow[..10].ToUpperInvariant()));
        Assert.Empty(await SearchAsync(flow, "no such words anywhere"));

        // Empty is no filter; the other filters combine with the term.
        Assert.Equal(4, (await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = string.Empty })).Count);
        Assert.Equal([byError], (await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Failed, Search = "searchable" })).Select(j => j.Id));
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Pending, Search = "narwhal" }));
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = NewFlow("elsewhere"), Search = "zanzibar" }));
        Assert.Equal([byOutput], (await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = "searchable", CreatedAfter = At(T0 + 1), CreatedBefore = At(T0 + 2) })).Select(j => j.Id));
    }

    [Fact]
    public async Task ListJobs_Search_WildcardsAndQuotesAreLiteral()
    {
        var flow = NewFlow("literal");
        var percent = await Store.CreateJobAsync(JobOf(flow, createdAt: T0, input: "rate 100% done"));
        var underscore = await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + 1, input: "snake_case_name"));
        var backslash = await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + 2, input: new { path = "dir/a\\b" }));
        var quote = await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + 3, input: "it's O'Brien"));
        await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + 4, input: "rate 1000 done, snakeXcaseYname, abc"));

        Assert.Equal([percent], await SearchAsync(flow, "100%"));
        Assert.Equal([percent], await SearchAsync(flow, "0% d"));
        Assert.Empty(await SearchAsync(flow, "%%%"));
        Assert.Equal([underscore], await SearchAsync(flow, "snake_case"));
        Assert.Empty(await SearchAsync(flow, "_____x"));
        Assert.Equal([backslash], await SearchAsync(flow, "a\\"));
        Assert.Equal([quote], await SearchAsync(flow, "o'brien"));
    }

    [Fact]
    public async Task ListJobs_Search_InjectionIsJustText_AndTheTableStays()
    {
        var flow = NewFlow("injection");
        var id = await Store.CreateJobAsync(JobOf(flow, input: "harmless"));

        foreach (var term in new[] { "'; DROP TABLE envoy.jobs; --", "'; DROP TABLE jobs; --", "' OR '1'='1", "\" OR 1=1 --", ") OR (1=1", "\\'; SELECT 1; --" })
        {
            Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = term }));
        }

        Assert.Equal(id, Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow })).Id);
        Assert.Equal(id, Assert.Single(await SearchAsync(flow, "HARMLESS")));
        Assert.Equal(id, (await GetAsync(id)).Id);
    }

    [Fact]
    public async Task ListJobs_Search_TooLongOrWithNul_IsRefusedNamingTheField()
    {
        var flow = NewFlow();
        await CreateAsync(flow);

        var longest = new string('x', JobQuery.MaxSearchLength);
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = longest }));
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListJobsAsync(new JobQuery { Flow = flow, Search = longest + "x" }));
        Assert.Equal(nameof(JobQuery.Search), tooLong.ParamName);
        var nul = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListJobsAsync(new JobQuery { Flow = flow, Search = "a\0b" }));
        Assert.Equal(nameof(JobQuery.Search), nul.ParamName);
        var flowNul = await Assert.ThrowsAsync<ArgumentException>(() => Store.ListJobsAsync(new JobQuery { Flow = "a\0b" }));
        Assert.Equal(nameof(JobQuery.Flow), flowNul.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListJobsAsync(new JobQuery { Flow = flow, Limit = 0 }));
    }

    [Fact]
    public async Task ListJobs_Search_PagesNewestFirst()
    {
        var flow = NewFlow("paged");
        var matching = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            var id = await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + (i / 2), input: i % 3 == 0 ? "other" : $"Needle {i}"));
            if (i % 3 != 0)
            {
                matching.Add(id);
            }
        }

        var pages = new List<string>();
        for (var offset = 0; offset < 8; offset += 2)
        {
            pages.AddRange((await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = "needle", Offset = offset, Limit = 2 })).Select(j => j.Id));
        }

        Assert.Equal(Enumerable.Reverse(matching), pages);
    }

    [Fact]
    public async Task ListJobs_ByFlowAcrossStatuses_PagesNewestFirst()
    {
        // Six jobs created in turn, left in different statuses (a store may read a flow's jobs status by status and merge).
        var flow = NewFlow("mixed");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i, runAt: T0 + i));
        }

        await FinishByCommitAsync(flow, ids[0], JobStatus.Done, now: T0 + 100);
        await FinishByCommitAsync(flow, ids[1], JobStatus.Failed, now: T0 + 200);
        await ClaimOneAsync(flow, ids[2], now: T0 + 300);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(ids[4], JobStatus.Cancelled, "cancelled", T0 + 400)).Outcome);

        var newestFirst = Enumerable.Reverse(ids).ToList();
        var pages = new List<string>();
        for (var offset = 0; offset < 8; offset += 4)
        {
            pages.AddRange((await Store.ListJobsAsync(new JobQuery { Flow = flow, Offset = offset, Limit = 4 })).Select(j => j.Id));
        }

        Assert.Equal(newestFirst, pages);
        Assert.Equal(newestFirst.Skip(1).Take(3), (await Store.ListJobsAsync(new JobQuery { Flow = flow, Offset = 1, Limit = 3 })).Select(j => j.Id));
        Assert.Equal([ids[3], ids[2]], (await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = flow, Offset = 1, Limit = 2, CreatedBefore = At(T0 + 5) })).Select(j => j.Id));
    }

    private async Task<IReadOnlyList<string>> SearchAsync(string flow, string term) =>
        (await Store.ListJobsAsync(new JobQuery { Flow = flow, Search = term })).Select(j => j.Id).ToList();

    /// <summary>Claims the job and commits it done with <paramref name="output"/> as its context's output.</summary>
    private async Task FinishWithOutputAsync(string flow, string id, object output)
    {
        var claimed = await ClaimOneAsync(flow, id, now: T0 + 100);
        var context = new StateContext("B") { JobId = id };
        context.Output(output);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 101) with { ContextJson = context.Serialize() }));
    }
}
