using System.Text.Json.Nodes;
using Envoy.Server.Tests.Harness;

namespace Envoy.Server.Tests;

/// <summary>
/// Each sample flow of server.md's table, as the ready server registers it (<c>AddSampleFlows</c>), run through a real scheduler on
/// an in-process SQLite store: its name, input and output.
/// </summary>
public sealed class SampleFlowsTests : IAsyncLifetime
{
    private SampleHost _host = null!;

    public async Task InitializeAsync() => _host = await SampleHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void AddSampleFlows_RegistersEveryFlowOfTheTable()
    {
        Assert.Equal(["approval", "deadline", "fail", "fanout", "hello", "slow", "square", "wait"], _host.Scheduler.Flows.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Hello_EndsWithHelloMiddleEnd()
    {
        var job = await _host.RunAsync("hello", new { ignored = true });

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("Hello! Middle! End!", job.Context.Output<string>());
        Assert.Equal(["stepCompleted:Start", "stepCompleted:Middle", "stepCompleted:End"], await StepsAsync(job.Id));
    }

    [Fact]
    public async Task Approval_EscalatesToTheUserWithItsMessageAndInputs()
    {
        var (_, escalation) = await ScheduleApprovalAsync(new { user = "alice", amount = 30 });

        Assert.Equal("alice", escalation.User);
        Assert.Equal("Approve 30?", escalation.Message);
        Assert.Collection(
            escalation.Inputs,
            decision => Assert.Equal(("decision", EscalationInputKind.Approve), (decision.Id, decision.Kind)),
            note => Assert.Equal(("note", EscalationInputKind.Comment), (note.Id, note.Kind)));
    }

    [Fact]
    public async Task Approval_Approved_EndsWithApprovedAndTheNote()
    {
        var (id, escalation) = await ScheduleApprovalAsync(new { user = "alice", amount = 30 });

        await _host.Scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?> { ["decision"] = true, ["note"] = "fine" }, EscalationDecision.Approved, "alice");
        var job = await _host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["status"] = "approved", ["note"] = "fine" }, job.Context.Output());
    }

    [Fact]
    public async Task Approval_Rejected_EndsWithRejectedAndTheNote()
    {
        var (id, escalation) = await ScheduleApprovalAsync(new { user = "bob", amount = 5000 });

        await _host.Scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?> { ["decision"] = false, ["note"] = "too much" }, EscalationDecision.Rejected, "bob");
        var job = await _host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["status"] = "rejected", ["note"] = "too much" }, job.Context.Output());
    }

    [Fact]
    public async Task Approval_WithoutNote_EndsWithANullNote()
    {
        var (id, escalation) = await ScheduleApprovalAsync(new { user = "alice", amount = 1 });

        await _host.Scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?> { ["decision"] = true }, EscalationDecision.Approved, "alice");
        var job = await _host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["status"] = "approved", ["note"] = null }, job.Context.Output());
    }

    [Fact]
    public async Task Wait_EndsWithTheValueItWasResolvedWith()
    {
        var id = await _host.Scheduler.ScheduleAsync("wait");
        await Waiting.UntilAsync(() => _host.Scheduler.GetJobAsync(id), j => j.Status == JobStatus.Blocking, TimeSpan.FromMinutes(1), "the wait job to block");

        await _host.Scheduler.ResolveBlockingJobAsync(id, "signal", new { ok = true, n = 3 });
        var job = await _host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["ok"] = true, ["n"] = 3 }, job.Context.Output());
    }

    [Fact]
    public async Task Fanout_SpawnsOneSquarePerIntegerAndSumsTheSquares()
    {
        var job = await _host.RunAsync("fanout", new[] { 1, 2, 3 });

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(14, job.Context.Output<long>());
        var children = await _host.Scheduler.ListJobsAsync(new JobQuery { ParentId = job.Id });
        Assert.Equal(3, children.Count);
        Assert.All(children, c => Assert.Equal(("square", JobStatus.Done), (c.Flow, c.Status)));
        Assert.Equal([1L, 4L, 9L], children.Select(c => c.Context.Output<long>()).Order());
    }

    [Fact]
    public async Task Deadline_NobodyReplies_TheEscalationExpires_AndTheJobRoutesToTimedOut()
    {
        var job = await _host.RunAsync("deadline", new { user = "carol", timeoutMs = 300 });

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["status"] = "expired", ["timedOut"] = true }, job.Context.Output());
        var steps = await StepsAsync(job.Id);
        Assert.Equal(("stepCompleted:Ask", "stepCompleted:TimedOut"), (steps[0], steps[^1]));
        Assert.DoesNotContain("stepCompleted:Answered", steps);
        var escalation = Assert.Single(await _host.Scheduler.ListEscalationsAsync(user: "carol"));
        Assert.Equal(("Approve before the deadline?", EscalationStatus.Expired), (escalation.Message, escalation.Status));
    }

    [Fact]
    public async Task Deadline_ReplyBeforeTheDeadline_RoutesToAnswered()
    {
        var id = await _host.Scheduler.ScheduleAsync("deadline", new { user = "dave", timeoutMs = 600_000 });
        var escalation = await Waiting.UntilAsync(
            async () => (await _host.Scheduler.ListEscalationsAsync(user: "dave")).SingleOrDefault(),
            e => e is { Status: EscalationStatus.Pending },
            TimeSpan.FromMinutes(1),
            "the deadline job to escalate");

        await _host.Scheduler.ReplyToEscalationAsync(escalation!.Id, new Dictionary<string, object?> { ["decision"] = true }, EscalationDecision.Approved, "dave");
        var job = await _host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        AssertJson(new JsonObject { ["status"] = "approved", ["timedOut"] = false }, job.Context.Output());
        var steps = await StepsAsync(job.Id);
        Assert.Equal(("stepCompleted:Ask", "stepCompleted:Answered"), (steps[0], steps[^1]));
        Assert.DoesNotContain("stepCompleted:TimedOut", steps);
    }

    [Fact]
    public async Task SampleSchedules_AddNightlyHello_WhenAbsent_AndKeepAChangedOne()
    {
        var schedules = new SampleSchedules(_host.Scheduler, Microsoft.Extensions.Logging.Abstractions.NullLogger<SampleSchedules>.Instance);

        await schedules.StartAsync(CancellationToken.None);

        var nightly = await _host.Scheduler.GetRecurringAsync("nightly-hello");
        Assert.Equal(("hello", "0 2 * * *", "UTC"), (nightly.Flow, nightly.Cron, nightly.TimeZone));
        await _host.Scheduler.AddRecurringAsync("nightly-hello", "hello", "30 3 * * *");
        await schedules.StartAsync(CancellationToken.None);
        Assert.Equal("30 3 * * *", (await _host.Scheduler.GetRecurringAsync("nightly-hello")).Cron);
    }

    [Fact]
    public async Task Fanout_EmptyArray_EndsWithZero()
    {
        var job = await _host.RunAsync("fanout", Array.Empty<int>());

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(0, job.Context.Output<long>());
    }

    [Fact]
    public async Task Square_Seven_EndsWith49()
    {
        var job = await _host.RunAsync("square", 7);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(49, job.Context.Output<long>());
    }

    [Fact]
    public async Task Fail_FailsWithBoomAndIsNeverRetried()
    {
        // The scheduler's own MaxRetries is 3 here: the flow's MaxRetries 0 must win.
        var job = await _host.RunAsync("fail");

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("boom", job.Error, StringComparison.Ordinal);
        Assert.Equal(0, job.Retries);
        var history = await _host.Scheduler.GetJobHistoryAsync(job.Id);
        Assert.Single(history, e => e.Kind == JobEventKind.Claimed);
        Assert.DoesNotContain(history, e => e.Kind == JobEventKind.Retried);
    }

    [Fact]
    public async Task Slow_Fifty_EndsWithSlept()
    {
        var job = await _host.RunAsync("slow", 50);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("slept", job.Context.Output<string>());
    }

    [Fact]
    public async Task Slow_Cancelled_StopsSleepingPromptly()
    {
        await using var host = await SampleHost.StartAsync(concurrency: 1);
        using var started = new EventWatch(host.Scheduler);
        var id = await host.Scheduler.ScheduleAsync("slow", 600_000);
        await started.StepStartedAsync(id);

        await host.Scheduler.CancelJobAsync(id);

        Assert.Equal(JobStatus.Cancelled, (await host.Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1))).Status);

        // The only worker slot frees only when the 10-minute sleep returns: a job after it runs only if the sleep was cancelled.
        var next = await host.RunAsync("square", 3);
        Assert.Equal(JobStatus.Done, next.Status);
    }

    private async Task<(string Id, Escalation Escalation)> ScheduleApprovalAsync(object input)
    {
        var id = await _host.Scheduler.ScheduleAsync("approval", input);
        var escalation = await Waiting.UntilAsync(
            async () => (await _host.Scheduler.ListEscalationsAsync(EscalationStatus.Pending)).FirstOrDefault(e => e.JobId == id),
            e => e is not null,
            TimeSpan.FromMinutes(1),
            $"the escalation of job {id}");
        return (id, escalation!);
    }

    private async Task<string[]> StepsAsync(string id) =>
        [.. (await _host.Scheduler.GetJobHistoryAsync(id)).Where(e => e.Kind == JobEventKind.StepCompleted).Select(e => $"stepCompleted:{e.State}")];

    private static void AssertJson(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected {expected.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}.");
}
