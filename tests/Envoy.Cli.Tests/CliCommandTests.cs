using Envoy.Server.Tests.Harness;
using Envoy.Cli.Tests.Harness;

namespace Envoy.Cli.Tests;

/// <summary>Every command against a real server, as a script runs them: exit codes, <c>--json</c> parsed back, tables.</summary>
[Collection(CliServerGroup.Name)]
public sealed class CliCommandTests(CliServerFixture server)
{
    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var result = (await EnvoyCli.RunAsync("--version")).Expect(0);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }

    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        var result = (await EnvoyCli.RunAsync("--help")).Expect(0);
        foreach (var command in new[] { "flows", "flow", "schedule", "jobs", "job", "cancel", "fail", "retry", "resolve", "escalations", "reply", "watch", "stats", "migrate" })
        {
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Flows_TableAndJson()
    {
        var table = (await server.RunAsync("flows")).Expect(0);
        Assert.Contains("hello", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("approval", table.Stdout, StringComparison.Ordinal);

        var json = (await server.RunAsync("flows", "--json")).Expect(0).Json().AsArray();
        var hello = json.Single(f => f!["name"]!.GetValue<string>() == "hello")!;
        Assert.Equal("Start", hello["startState"]!.GetValue<string>());
        Assert.Contains("graph", hello["mermaid"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flow_ShowsStatesAndMermaidGraph()
    {
        var table = (await server.RunAsync("flow", "hello")).Expect(0);
        Assert.Contains("Middle", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Mermaid", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("graph", table.Stdout, StringComparison.Ordinal);

        var json = (await server.RunAsync("flow", "hello", "--json")).Expect(0).Json();
        Assert.Equal(["Start", "Middle", "End"], json["states"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));

        var missing = (await server.RunAsync("flow", "no-such-flow")).Expect(3);
        Assert.Contains("no-such-flow", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleWait_Hello_PrintsTheDoneJob_Exit0()
    {
        var job = (await server.RunAsync("schedule", "hello", "--wait", "--json")).Expect(0).Json();
        Assert.Equal("done", job["status"]!.GetValue<string>());
        Assert.Equal("Hello! Middle! End!", job["output"]!.GetValue<string>());

        var table = (await server.RunAsync("schedule", "hello", "--wait")).Expect(0);
        Assert.Contains("Hello! Middle! End!", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduleWait_Fail_PrintsTheFailedJob_Exit1()
    {
        var result = (await server.RunAsync("schedule", "fail", "--wait", "--json")).Expect(1);
        var job = result.Json();
        Assert.Equal("failed", job["status"]!.GetValue<string>());
        Assert.Contains("boom", job["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_InputFromFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"envoy-cli-input-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "7");
        try
        {
            var job = (await server.RunAsync("schedule", "square", "--input", "@" + file, "--wait", "--json")).Expect(0).Json();
            Assert.Equal(7, job["input"]!.GetValue<int>());
            Assert.Equal(49, job["output"]!.GetValue<int>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Schedule_InputFromStdin()
    {
        var result = await EnvoyCli.RunAsync(
            ["schedule", "square", "--input", "-", "--wait", "--json", "--url", server.Url, "--key", server.AdminKey],
            null,
            stdin: "12\n");
        var job = result.Expect(0).Json();
        Assert.Equal(144, job["output"]!.GetValue<int>());
    }

    [Fact]
    public async Task Schedule_BadJsonInput_Exit2_NothingScheduled()
    {
        var marker = Guid.NewGuid().ToString("N");
        var result = (await server.RunAsync("schedule", "hello", "--input", "{\"marker\": \"" + marker + "\"")).Expect(2);
        Assert.Contains("--input", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        var jobs = (await server.RunAsync("jobs", "--search", marker, "--json")).Expect(0).Json();
        Assert.Empty(jobs["items"]!.AsArray());

        (await server.RunAsync("schedule", "hello", "--input", "@/no/such/file.json")).Expect(2);
    }

    [Fact]
    public async Task Schedule_UnknownFlow_Is400_Exit2_WithTheProblemDetail()
    {
        var result = (await server.RunAsync("schedule", "no-such-flow")).Expect(2);
        Assert.Contains("no-such-flow", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_DelayAndIdempotencyKey()
    {
        var key = "cli-" + Guid.NewGuid().ToString("N");
        var first = (await server.RunAsync("schedule", "hello", "--delay", "3600", "--idempotency-key", key, "--json")).Expect(0).Json();
        Assert.Equal("pending", first["status"]!.GetValue<string>());
        Assert.Equal(key, first["idempotencyKey"]!.GetValue<string>());
        var runAt = DateTimeOffset.Parse(first["runAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var createdAt = DateTimeOffset.Parse(first["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(runAt - createdAt > TimeSpan.FromMinutes(59), $"runAt {runAt} createdAt {createdAt}");

        var again = (await server.RunAsync("schedule", "hello", "--idempotency-key", key, "--json")).Expect(0).Json();
        Assert.Equal(first["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());

        (await server.RunAsync("schedule", "hello", "--delay", "-1")).Expect(2);
        (await server.RunAsync("cancel", first["id"]!.GetValue<string>())).Expect(0);
    }

    [Fact]
    public async Task Jobs_JsonIsTheApiPage_AndFiltersApply()
    {
        var marker = "m" + Guid.NewGuid().ToString("N");
        var done = (await server.RunAsync("schedule", "square", "--input", "5", "--idempotency-key", marker + "-a", "--wait", "--json")).Expect(0).Json()["id"]!.GetValue<string>();
        var failed = (await server.RunAsync("schedule", "fail", "--input", $"\"{marker}\"", "--wait", "--json")).Expect(1).Json()["id"]!.GetValue<string>();

        var page = (await server.RunAsync("jobs", "--search", marker, "--json")).Expect(0).Json();
        var items = page["items"]!.AsArray();
        Assert.Contains(failed, items.Select(j => j!["id"]!.GetValue<string>()));

        var failedOnly = (await server.RunAsync("jobs", "--status", "failed", "--flow", "fail", "--search", marker, "--json")).Expect(0).Json()["items"]!.AsArray();
        Assert.Equal([failed], failedOnly.Select(j => j!["id"]!.GetValue<string>()));

        var squares = (await server.RunAsync("jobs", "--flow", "square", "--status", "done", "--limit", "500", "--json")).Expect(0).Json()["items"]!.AsArray();
        Assert.Contains(done, squares.Select(j => j!["id"]!.GetValue<string>()));
        Assert.All(squares, j => Assert.Equal("square", j!["flow"]!.GetValue<string>()));

        var one = (await server.RunAsync("jobs", "--limit", "1", "--offset", "1", "--json")).Expect(0).Json()["items"]!.AsArray();
        Assert.Single(one);

        var table = (await server.RunAsync("jobs", "--search", marker)).Expect(0);
        Assert.Contains(failed, table.Stdout, StringComparison.Ordinal);

        (await server.RunAsync("jobs", "--status", "nonsense")).Expect(2);
    }

    [Fact]
    public async Task Job_ShowsHistory_JsonIsTheJobWithAHistoryArray()
    {
        var id = (await server.RunAsync("schedule", "hello", "--wait", "--json")).Expect(0).Json()["id"]!.GetValue<string>();
        var job = (await server.RunAsync("job", id, "--json")).Expect(0).Json();
        Assert.Equal(id, job["id"]!.GetValue<string>());
        Assert.Equal("done", job["status"]!.GetValue<string>());
        var kinds = job["history"]!.AsArray().Select(h => h!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal("scheduled", kinds[0]);
        Assert.Contains("stepCompleted", kinds);

        var table = (await server.RunAsync("job", id)).Expect(0);
        Assert.Contains("history", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("stepCompleted", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_Unknown_Exit3_WithTheProblemDetail()
    {
        var result = (await server.RunAsync("job", "no-such-job")).Expect(3);
        Assert.Contains("no-such-job", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        (await server.RunAsync("cancel", "no-such-job")).Expect(3);
        (await server.RunAsync("watch", "no-such-job")).Expect(3);
    }

    [Fact]
    public async Task Cancel_ThenAgain_IsAConflict_Exit4()
    {
        var id = await server.ScheduleAsync("wait");
        var cancelled = (await server.RunAsync("cancel", id, "--json")).Expect(0).Json();
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        var again = (await server.RunAsync("cancel", id)).Expect(4);
        Assert.Contains(id, again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fail_WithReason_ThenRetry_ThenRetryOfANonFailedJob_Exit4()
    {
        var id = await server.ScheduleAsync("wait");
        var failed = (await server.RunAsync("fail", id, "--reason", "stopped by hand", "--json")).Expect(0).Json();
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("stopped by hand", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);

        var retried = (await server.RunAsync("retry", id, "--json")).Expect(0).Json();
        Assert.Equal(1, retried["retries"]!.GetValue<int>());
        Assert.NotEqual("failed", retried["status"]!.GetValue<string>());

        var conflict = (await server.RunAsync("retry", id)).Expect(4);
        Assert.Contains(id, conflict.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("fail", id)).Expect(2); // --reason is required
        (await server.RunAsync("cancel", id)).Expect(0);
    }

    [Fact]
    public async Task Resolve_AWait_TheJobEndsWithTheValue()
    {
        var id = await server.ScheduleAsync("wait");
        await Waiting.UntilAsync(
            async () => (await server.RunAsync("job", id, "--json")).Expect(0).Json()["status"]!.GetValue<string>(),
            s => s == "blocking",
            TimeSpan.FromMinutes(2),
            $"job {id} to block");
        (await server.RunAsync("resolve", id, "no-such-wait", "--value", "1")).Expect(3);
        (await server.RunAsync("resolve", id, "signal", "--value", "{oops")).Expect(2);
        (await server.RunAsync("resolve", id, "signal", "--value", "{\"answer\": 42}")).Expect(0);
        var job = (await server.RunAsync("watch", id, "--json")).Expect(0).Json();
        Assert.Equal(42, job["output"]!["answer"]!.GetValue<int>());

        (await server.RunAsync("resolve", id, "signal", "--value", "1")).Expect(4);
    }

    [Fact]
    public async Task ReplyApprove_OnTheApprovalFlow_TheJobIsDone_WithRepliedBy()
    {
        var id = await server.ScheduleAsync("approval", "{\"user\": \"olivia\", \"amount\": 30}");
        var escalation = await Waiting.UntilAsync(
            async () => (await server.RunAsync("escalations", "--status", "pending", "--json")).Expect(0).Json().AsArray()
                .FirstOrDefault(e => e!["jobId"]!.GetValue<string>() == id),
            e => e is not null,
            TimeSpan.FromMinutes(2),
            $"the escalation of job {id}");
        Assert.Equal("Approve 30?", escalation!["message"]!.GetValue<string>());
        var escalationId = escalation["id"]!.GetValue<string>();

        var table = (await server.RunAsync("escalations")).Expect(0);
        Assert.Contains(escalationId, table.Stdout, StringComparison.Ordinal);

        // The operator olivia answers her own escalation.
        var reply = (await EnvoyCli.RunAsync(
            ["reply", escalationId, "--approve", "--set", "note=looks fine", "--json"],
            new Dictionary<string, string?> { ["ENVOY_URL"] = server.Url, ["ENVOY_KEY"] = CliServerFixture.OperatorKey },
            null)).Expect(0).Json();
        Assert.Equal("approved", reply["status"]!.GetValue<string>());
        Assert.Equal("olivia", reply["repliedBy"]!.GetValue<string>());
        Assert.True(reply["response"]!["decision"]!.GetValue<bool>());

        var job = (await server.RunAsync("watch", id, "--json")).Expect(0).Json();
        Assert.Equal("done", job["status"]!.GetValue<string>());
        Assert.Equal("approved", job["output"]!["status"]!.GetValue<string>());
        Assert.Equal("looks fine", job["output"]!["note"]!.GetValue<string>());

        var answered = (await server.RunAsync("escalations", "--status", "approved", "--json")).Expect(0).Json().AsArray();
        Assert.Equal("olivia", answered.Single(e => e!["id"]!.GetValue<string>() == escalationId)!["repliedBy"]!.GetValue<string>());

        (await server.RunAsync("reply", escalationId, "--reject")).Expect(4);
        (await server.RunAsync("reply", escalationId)).Expect(2);
        (await server.RunAsync("reply", "no-such-escalation", "--approve")).Expect(3);
    }

    [Fact]
    public async Task ReplyReject_TheJobEndsRejected()
    {
        var id = await server.ScheduleAsync("approval", "{\"user\": \"root\", \"amount\": 5}");
        var escalation = await Waiting.UntilAsync(
            async () => (await server.RunAsync("escalations", "--status", "pending", "--json")).Expect(0).Json().AsArray()
                .FirstOrDefault(e => e!["jobId"]!.GetValue<string>() == id),
            e => e is not null,
            TimeSpan.FromMinutes(2),
            $"the escalation of job {id}");
        (await server.RunAsync("reply", escalation!["id"]!.GetValue<string>(), "--reject")).Expect(0);
        var job = (await server.RunAsync("watch", id, "--json")).Expect(0).Json();
        Assert.Equal("rejected", job["output"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_FollowsAJobToItsEnd_Exit0()
    {
        // The job blocks until the watch is connected: on a loaded machine a job that only sleeps a while may end before the
        // CLI process has started, and then there is no live event left to follow.
        var id = await server.ScheduleAsync("wait");
        await Waiting.UntilAsync(
            async () => (await server.RunAsync("job", id, "--json")).Expect(0).Json()["status"]!.GetValue<string>(),
            s => s == "blocking",
            TimeSpan.FromMinutes(2),
            $"job {id} to block");
        using var watch = RunningCli.Start("watch", id, "--url", server.Url, "--key", server.AdminKey);
        await watch.WaitForLineAsync("Watching job", TimeSpan.FromMinutes(2)); // subscribed to the job's events, then read it
        (await server.RunAsync("resolve", id, "signal", "--value", "{\"answer\": 42}")).Expect(0);
        var result = (await watch.WaitForExitAsync(TimeSpan.FromMinutes(2))).Expect(0);
        Assert.Contains("jobFinished", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Job {id} done", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"answer\":42", result.Stdout.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_AJobThatIsCancelledMeanwhile_Exit1()
    {
        var id = await server.ScheduleAsync("slow", "600000");
        var watch = server.RunAsync("watch", id, "--json");
        await Waiting.UntilAsync(
            async () => (await server.RunAsync("job", id, "--json")).Expect(0).Json()["status"]!.GetValue<string>(),
            s => s == "running",
            TimeSpan.FromMinutes(2),
            $"job {id} to run");
        (await server.RunAsync("cancel", id)).Expect(0);
        var job = (await watch).Expect(1).Json();
        Assert.Equal("cancelled", job["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_AFailedJob_Exit1()
    {
        var id = (await server.RunAsync("schedule", "fail", "--wait", "--json")).Expect(1).Json()["id"]!.GetValue<string>();
        var result = (await server.RunAsync("watch", id)).Expect(1);
        Assert.Contains("failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_CountsEveryStatus()
    {
        await server.ScheduleAsync("hello");

        // The server may count from a short-lived cache (countedAt): wait until the job is counted.
        var stats = await Waiting.UntilAsync(
            async () => (await server.RunAsync("stats", "--json")).Expect(0).Json(),
            s => s["total"]!.GetValue<long>() >= 1,
            TimeSpan.FromMinutes(2),
            "the stats to count a job");
        var counts = stats["counts"]!;
        var statuses = new[] { "pending", "running", "blocking", "done", "failed", "cancelled" };
        Assert.Equal(stats["total"]!.GetValue<long>(), statuses.Sum(s => counts[s]!.GetValue<long>()));
        var table = (await server.RunAsync("stats")).Expect(0);
        Assert.Contains("blocking", table.Stdout, StringComparison.Ordinal);
    }
}
