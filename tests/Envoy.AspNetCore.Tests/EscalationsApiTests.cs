using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>/escalations</c>: list, read, reply, with who may answer, on every store.</summary>
public abstract class EscalationsApiTests(ApiStore store) : ApiTestBase(store)
{
    /// <summary>Schedules the <c>approval</c> sample flow for <paramref name="user"/> and returns its pending escalation.</summary>
    private async Task<(string JobId, Escalation Escalation)> AskAsync(string user = "alice", int amount = 30)
    {
        var jobId = await Host.Scheduler.ScheduleAsync("approval", new JsonObject { ["user"] = user, ["amount"] = amount });
        var escalations = await Eventually.UntilAsync(
            () => Host.Scheduler.ListEscalationsAsync(EscalationStatus.Pending, user),
            list => list.Any(e => e.JobId == jobId),
            $"the escalation of job {jobId}");
        return (jobId, escalations.Single(e => e.JobId == jobId));
    }

    private static string Reply(string path) => $"envoy/api/escalations/{path}/reply";

    private async Task AssertStillPendingAsync(string escalationId)
    {
        var escalation = await Host.Scheduler.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Null(escalation.RepliedBy);
    }

    [Fact]
    public async Task A_pending_escalation_reads_back_with_its_inputs()
    {
        var (jobId, asked) = await AskAsync();

        var escalation = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/escalations/{asked.Id}"));

        Assert.Equal(asked.Id, escalation["id"]!.GetValue<string>());
        Assert.Equal(jobId, escalation["jobId"]!.GetValue<string>());
        Assert.Equal(asked.WaitId, escalation["waitId"]!.GetValue<string>());
        Assert.Equal("alice", escalation["user"]!.GetValue<string>());
        Assert.Equal("Approve 30?", escalation["message"]!.GetValue<string>());
        Assert.Equal("pending", escalation["status"]!.GetValue<string>());
        Assert.Null(escalation["response"]);
        Assert.Null(escalation["repliedBy"]);
        Assert.Null(escalation["answeredAt"]);
        Assert.EndsWith("Z", escalation["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
        var inputs = escalation["inputs"]!.AsArray();
        Assert.Equal(["decision", "note"], inputs.Select(i => i!["id"]!.GetValue<string>()));
        Assert.Equal(["approve", "comment"], inputs.Select(i => i!["kind"]!.GetValue<string>()));
        Assert.All(inputs, i => Assert.False(string.IsNullOrEmpty(i!["label"]!.GetValue<string>())));
        Assert.All(inputs, i => Assert.Null(i!["options"]));
    }

    [Fact]
    public async Task The_list_filters_by_status_and_user()
    {
        var (_, forAlice) = await AskAsync("alice");
        var (_, forBob) = await AskAsync("bob");

        var all = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/escalations"))).AsArray();
        var alices = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/escalations?status=pending&user=alice"))).AsArray();
        var approved = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/escalations?status=approved"))).AsArray();

        var ids = all.Select(e => e!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(forAlice.Id, ids);
        Assert.Contains(forBob.Id, ids);
        Assert.Equal([forAlice.Id], alices.Select(e => e!["id"]!.GetValue<string>()));
        Assert.Empty(approved);

        await Problems.AssertJsonAsync(await Alice.PostJsonAsync(Reply(forAlice.Id), """{ "decision": "approved", "values": { "decision": true } }"""));
        approved = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/escalations?status=approved"))).AsArray();
        var pending = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/escalations?status=pending"))).AsArray();

        Assert.Equal([forAlice.Id], approved.Select(e => e!["id"]!.GetValue<string>()));
        Assert.Equal([forBob.Id], pending.Select(e => e!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_bad_status_is_400_invalid_query_naming_it()
    {
        var problem = await Problems.AssertProblemAsync(await Viewer.GetAsync("envoy/api/escalations?status=maybe"), HttpStatusCode.BadRequest, "invalid_query");

        Assert.Contains("status", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("maybe", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_escalation_is_404_before_any_role_check()
    {
        await Problems.AssertProblemAsync(await Viewer.GetAsync("envoy/api/escalations/nope"), HttpStatusCode.NotFound, "escalation_not_found");
        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync(Reply("nope"), """{ "decision": "approved" }"""), HttpStatusCode.NotFound, "escalation_not_found");
        var problem = await Problems.AssertProblemAsync(await Bob.PostJsonAsync(Reply("nope"), """{ "decision": "approved" }"""), HttpStatusCode.NotFound, "escalation_not_found");
        Assert.Contains("nope", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approved_by_its_user_the_approval_flow_ends_done_with_status_approved_and_the_note()
    {
        var (jobId, asked) = await AskAsync();

        var answer = await Problems.AssertJsonAsync(await Alice.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved", "values": { "decision": true, "note": "fine by me" } }"""));

        Assert.Equal("approved", answer["status"]!.GetValue<string>());
        Assert.Equal("alice", answer["repliedBy"]!.GetValue<string>());
        Assert.EndsWith("Z", answer["answeredAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(answer["response"]!["decision"]!.GetValue<bool>());
        Assert.Equal("fine by me", answer["response"]!["note"]!.GetValue<string>());
        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Done, job.Status);
        var output = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{jobId}")))["output"]!;
        Assert.Equal("approved", output["status"]!.GetValue<string>());
        Assert.Equal("fine by me", output["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rejected_the_approval_flow_ends_done_with_status_rejected()
    {
        var (jobId, asked) = await AskAsync();

        var answer = await Problems.AssertJsonAsync(await Alice.PostJsonAsync(Reply(asked.Id), """{ "decision": "rejected", "values": { "decision": false, "note": "too much" } }"""));

        Assert.Equal("rejected", answer["status"]!.GetValue<string>());
        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(30));
        Assert.Equal(JobStatus.Done, job.Status);
        var output = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{jobId}")))["output"]!;
        Assert.Equal("rejected", output["status"]!.GetValue<string>());
        Assert.Equal("too much", output["note"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_admin_may_answer_anyones_escalation_and_is_recorded_as_the_replier()
    {
        var (jobId, asked) = await AskAsync("alice");

        var answer = await Problems.AssertJsonAsync(await Admin.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved" }"""));

        Assert.Equal("root", answer["repliedBy"]!.GetValue<string>());
        Assert.Equal("root", (await Host.Scheduler.GetEscalationAsync(asked.Id)).RepliedBy);
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(30))).Status);
    }

    [Fact]
    public async Task A_viewer_may_not_reply_403_and_nothing_changes()
    {
        var (_, asked) = await AskAsync();

        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved" }"""), HttpStatusCode.Forbidden, "forbidden");

        await AssertStillPendingAsync(asked.Id);
    }

    [Fact]
    public async Task Another_operator_may_not_answer_alices_escalation_403_and_nothing_changes()
    {
        var (_, asked) = await AskAsync("alice");

        var problem = await Problems.AssertProblemAsync(await Bob.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved" }"""), HttpStatusCode.Forbidden, "forbidden");

        Assert.Contains("alice", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertStillPendingAsync(asked.Id);
    }

    [Fact]
    public async Task A_second_reply_is_409_escalation_already_answered()
    {
        var (_, asked) = await AskAsync();
        await Problems.AssertJsonAsync(await Alice.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved" }"""));

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync(Reply(asked.Id), """{ "decision": "rejected" }"""), HttpStatusCode.Conflict, "escalation_already_answered");

        var escalation = await Host.Scheduler.GetEscalationAsync(asked.Id);
        Assert.Equal(EscalationStatus.Approved, escalation.Status);
    }

    [Theory]
    [InlineData("""{ "decision": "maybe" }""", "decision")]
    [InlineData("""{ "values": { "note": "x" } }""", "decision")]
    [InlineData("""{ "decision": 1 }""", "decision")]
    [InlineData("""{ "decision": "approved", "values": { "colour": "red" } }""", "colour")]
    [InlineData("""{ "decision": "approved", "values": { "decision": "yes" } }""", "decision")]
    [InlineData("""{ "decision": "approved", "values": [1] }""", "values")]
    [InlineData("""{ "decision": "approved" """, "")]
    [InlineData("", "")]
    public async Task A_bad_reply_is_400_invalid_body_naming_the_field_and_nothing_changes(string body, string field)
    {
        var (_, asked) = await AskAsync();

        var problem = await Problems.AssertProblemAsync(await Alice.PostJsonAsync(Reply(asked.Id), body), HttpStatusCode.BadRequest, "invalid_body");

        Assert.Contains(field, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertStillPendingAsync(asked.Id);
    }

    [Fact]
    public async Task Escalations_need_a_caller()
    {
        var (_, asked) = await AskAsync();

        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/escalations"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(await Anonymous.GetAsync($"envoy/api/escalations/{asked.Id}"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(await Anonymous.PostJsonAsync(Reply(asked.Id), """{ "decision": "approved" }"""), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertStillPendingAsync(asked.Id);
    }
}

public sealed class SqliteEscalationsApiTests() : EscalationsApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresEscalationsApiTests(PostgresFixture postgres) : EscalationsApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisEscalationsApiTests(PostgresFixture postgres, RedisFixture redis) : EscalationsApiTests(ApiStore.PostgresRedis(postgres, redis));
