namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>The snippet of docs/scheduling.md, "Flow versions", compiled and run.</summary>
public sealed class FlowVersionsSnippetTests : SchedulerTestBase
{
    [Fact]
    public async Task DocsSnippet_NewJobsTakeTheVersionRegisteredLast()
    {
        var scheduler = await NewSchedulerAsync();
        var lines = new List<string>();
        var orphan = await scheduler.Store.CreateJobAsync(new Envoy.Runtime.Storage.NewJob(
            Guid.NewGuid().ToString(), "invoice", new StateContext("Check", null).Serialize(), 0, 0, 0, null, null, null) { FlowVersion = "0" });

        // --- the snippet (Console.WriteLine there) ---
        // Deploy 2: version 1 stays registered so that the jobs started on it finish on it; version 2, registered last, is the newest.
        scheduler
            .AddFlow("invoice", InvoiceV1(), new FlowOptions { Version = "1" })
            .AddFlow("invoice", InvoiceV2(), new FlowOptions { Version = "2" });
        await scheduler.StartAsync(); // a live worker of both versions, in the store's registry

        var id = await scheduler.ScheduleAsync("invoice", new { Amount = 42 });
        var version = (await scheduler.GetJobAsync(id)).FlowVersion; // "2"
        foreach (var worker in await scheduler.ListWorkersAsync())
        {
            lines.Add($"{worker.Id} on {worker.Host}: {string.Join(", ", worker.Flows.Select(f => $"{f.Flow} {f.Version}"))}");
        }

        // Jobs no live worker on the store runs (no started scheduler has their flow, or their version):
        foreach (var job in await scheduler.ListUnservedJobsAsync())
        {
            lines.Add($"{job.Id}: {job.Flow} version {job.FlowVersion}");
        }
        // --- end of the snippet ---

        Assert.Equal("2", version);
        Assert.Equal([$"{scheduler.WorkerId} on {Environment.MachineName}: invoice 1, invoice 2", $"{orphan}: invoice version 0"], lines);
        Assert.Equal(["1", "2"], scheduler.FlowVersions["invoice"]);
        Assert.Same(scheduler.Flows["invoice"], scheduler.FindFlow("invoice"));
        Assert.Same(scheduler.FindFlow("invoice", "2"), scheduler.FindFlow("invoice"));
        Assert.NotSame(scheduler.FindFlow("invoice", "1"), scheduler.FindFlow("invoice", "2"));
        Assert.Null(scheduler.FindFlow("invoice", "0"));
    }

    private static StateFlow InvoiceV1() => new([new State("Check") { OnState = async ctx => ctx.Output("checked"), Router = Router.End }]);

    private static StateFlow InvoiceV2() => new(
    [
        new State("Check") { OnState = async ctx => ctx.Output("checked"), Router = Router.Next("Send") },
        new State("Send") { OnState = async ctx => ctx.Output("sent"), Router = Router.End },
    ]);
}
