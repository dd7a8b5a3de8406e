using System.Text.Json;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    private static readonly IReadOnlyList<EscalationInput> FormInputs =
    [
        EscalationInput.Approve("ok", "Approve"),
        EscalationInput.Comment("note", "Note"),
        EscalationInput.Select("size", "Size", new Dictionary<string, string> { ["s"] = "Small", ["l"] = "Large" }),
    ];

    [Fact]
    public async Task Escalation_CreatedByACommit_HasEveryField()
    {
        var user = "user-" + NewId();
        var (jobId, escalationId) = await EscalateAsync(NewFlow(), user, T0);

        var escalation = await Store.GetEscalationAsync(escalationId);

        Assert.NotNull(escalation);
        Assert.Equal(escalationId, escalation!.Id);
        Assert.Equal(jobId, escalation.JobId);
        Assert.Equal(escalationId, escalation.WaitId);
        Assert.Equal(user, escalation.User);
        Assert.Equal("Ship it?", escalation.Message);
        Assert.Equal(FormInputs.Count, escalation.Inputs.Count);
        Assert.Equal(FormInputs.Select(i => (i.Id, i.Label, i.Kind)), escalation.Inputs.Select(i => (i.Id, i.Label, i.Kind)));
        Assert.Equal("Large", escalation.Inputs[2].Options!["l"]);
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Null(escalation.Response);
        Assert.Null(escalation.RepliedBy);
        Assert.Equal(At(T0 + 1), escalation.CreatedAt);
        Assert.Null(escalation.AnsweredAt);
    }

    [Fact]
    public async Task ReplyToEscalation_Approved_RecordsReplyAndResolvesWaitWithSuccess()
    {
        var flow = NewFlow();
        var (jobId, escalationId) = await EscalateAsync(flow, "ann", T0);

        var result = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{\"note\":\"fine\"}", "bob", T0 + 50));

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Approved, escalation!.Status);
        Assert.Equal("fine", escalation.Response!["note"]!.GetValue<string>());
        Assert.Equal("bob", escalation.RepliedBy);
        Assert.Equal(At(T0 + 50), escalation.AnsweredAt);
        var job = await GetAsync(jobId);
        Assert.Equal(JobStatus.Pending, job.Status);
        var row = ResolutionOf(job, escalationId);
        Assert.Equal(WaitResolutionKind.Success, row.Kind);
        Assert.Equal("fine", JsonDocument.Parse(row.OutputJson!).RootElement.GetProperty("note").GetString());
        Assert.Contains(await HistoryAsync(jobId), e => e.Kind == JobEventKind.EscalationAnswered);
        await ClaimOneAsync(flow, jobId, now: T0 + 50);
    }

    [Fact]
    public async Task ReplyToEscalation_Rejected_RecordsReplyAndResolvesWaitWithErrorCarryingTheValues()
    {
        var (jobId, escalationId) = await EscalateAsync(NewFlow(), "ann", T0);

        var result = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Rejected, "{\"note\":\"too big\"}", null, T0 + 50));

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Rejected, escalation!.Status);
        Assert.Equal("too big", escalation.Response!["note"]!.GetValue<string>());
        var row = ResolutionOf(await GetAsync(jobId), escalationId);
        Assert.Equal(WaitResolutionKind.Error, row.Kind);
        Assert.False(string.IsNullOrEmpty(row.Error));
        Assert.Equal("too big", JsonDocument.Parse(row.OutputJson!).RootElement.GetProperty("note").GetString());
    }

    [Fact]
    public async Task ReplyToEscalation_Twice_IsRefusedAndKeepsTheFirstReply()
    {
        var (jobId, escalationId) = await EscalateAsync(NewFlow(), "ann", T0);
        await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{\"note\":\"first\"}", "bob", T0 + 50));
        var job = await GetAsync(jobId);

        var again = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Rejected, "{\"note\":\"second\"}", "eve", T0 + 60));

        Assert.Equal(StoreOutcome.EscalationAlreadyAnswered, again.Outcome);
        Assert.Equal(EscalationStatus.Approved, again.EscalationStatus);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Approved, escalation!.Status);
        Assert.Equal("first", escalation.Response!["note"]!.GetValue<string>());
        Assert.Equal("bob", escalation.RepliedBy);
        AssertUnchanged(job, await GetAsync(jobId));
    }

    [Fact]
    public async Task ReplyToEscalation_ConcurrentReplies_ExactlyOneIsRecorded()
    {
        var (jobId, escalationId) = await EscalateAsync(NewFlow(), "ann", T0);
        var second = await SecondInstanceOrStoreAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : second).ReplyToEscalationAsync(new EscalationReply(escalationId, i % 3 == 0 ? EscalationStatus.Rejected : EscalationStatus.Approved, "{}", "user" + i, T0 + 50)))));

        Assert.Single(results, r => r.Outcome == StoreOutcome.Ok);
        Assert.Equal(7, results.Count(r => r.Outcome == StoreOutcome.EscalationAlreadyAnswered));
        Assert.Equal(JobStatus.Pending, (await GetAsync(jobId)).Status);
    }

    [Fact]
    public async Task ReplyToEscalation_Unknown_IsEscalationNotFound()
    {
        var result = await Store.ReplyToEscalationAsync(new EscalationReply("w_" + Guid.NewGuid().ToString("N"), EscalationStatus.Approved, "{}", null, T0));

        Assert.Equal(StoreOutcome.EscalationNotFound, result.Outcome);
    }

    [Fact]
    public async Task ReplyToEscalation_JobTerminal_IsRefusedAndTheEscalationIsCancelled()
    {
        var (jobId, escalationId) = await EscalateAsync(NewFlow(), "ann", T0);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(jobId, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);
        var job = await GetAsync(jobId);

        var result = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", "bob", T0 + 20));

        Assert.Equal(StoreOutcome.JobTerminal, result.Outcome);
        Assert.Equal(JobStatus.Cancelled, result.Status);
        Assert.Equal(jobId, result.JobId);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Cancelled, escalation!.Status);
        Assert.Null(escalation.Response);
        Assert.Null(escalation.RepliedBy);
        AssertUnchanged(job, await GetAsync(jobId));
    }

    [Fact]
    public async Task ListEscalations_FiltersByStatusAndUser_NewestFirst()
    {
        var ann = "ann-" + NewId();
        var bob = "bob-" + NewId();
        var (_, annOld) = await EscalateAsync(NewFlow(), ann, T0);
        var (_, annNew) = await EscalateAsync(NewFlow(), ann, T0 + 100);
        var (_, bobOne) = await EscalateAsync(NewFlow(), bob, T0 + 200);
        await Store.ReplyToEscalationAsync(new EscalationReply(annOld, EscalationStatus.Approved, "{}", null, T0 + 300));

        var annAll = await Store.ListEscalationsAsync(null, ann);
        var annPending = await Store.ListEscalationsAsync(EscalationStatus.Pending, ann);
        var annApproved = await Store.ListEscalationsAsync(EscalationStatus.Approved, ann);
        var annRejected = await Store.ListEscalationsAsync(EscalationStatus.Rejected, ann);
        var everyone = await Store.ListEscalationsAsync(null, null);
        var pending = await Store.ListEscalationsAsync(EscalationStatus.Pending, null);

        Assert.Equal([annNew, annOld], annAll.Select(e => e.Id));
        Assert.Equal([annNew], annPending.Select(e => e.Id));
        Assert.Equal([annOld], annApproved.Select(e => e.Id));
        Assert.Empty(annRejected);
        Assert.Equal(bobOne, Assert.Single(await Store.ListEscalationsAsync(null, bob)).Id);
        Assert.Superset(new HashSet<string> { annOld, annNew, bobOne }, everyone.Select(e => e.Id).ToHashSet());
        Assert.Contains(pending, e => e.Id == bobOne);
        Assert.DoesNotContain(pending, e => e.Id == annOld);
        var mine = everyone.Where(e => e.Id == annOld || e.Id == annNew || e.Id == bobOne).Select(e => e.Id);
        Assert.Equal([bobOne, annNew, annOld], mine);
    }

    [Theory]
    [InlineData(JobStatus.Cancelled)]
    [InlineData(JobStatus.Failed)]
    public async Task FinishJob_CancelsThePendingEscalationsOfTheJob_AndKeepsAnsweredOnes(JobStatus ended)
    {
        var flow = NewFlow();
        var user = "ann-" + NewId();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var (answered, pending) = ("w_" + Guid.NewGuid().ToString("N"), "w_" + Guid.NewGuid().ToString("N"));
        var form = JsonSerializer.Serialize(FormInputs, EnvoyJson.Options);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with
        {
            Waits = [new NewWait(answered, WaitTypes.Escalation), new NewWait(pending, WaitTypes.Escalation)],
            Escalations = [new NewEscalation(answered, user, "One?", form), new NewEscalation(pending, user, "Two?", form)],
        }));
        Assert.Equal(StoreOutcome.Ok, (await Store.ReplyToEscalationAsync(new EscalationReply(answered, EscalationStatus.Approved, "{}", "bob", T0 + 5))).Outcome);

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, ended, "ended by hand", T0 + 10)).Outcome);

        Assert.Equal(EscalationStatus.Approved, (await Store.GetEscalationAsync(answered))!.Status);
        var cancelled = await Store.GetEscalationAsync(pending);
        Assert.Equal(EscalationStatus.Cancelled, cancelled!.Status);
        Assert.Null(cancelled.Response);
        Assert.Empty(await Store.ListEscalationsAsync(EscalationStatus.Pending, user));
        Assert.Equal([pending], (await Store.ListEscalationsAsync(EscalationStatus.Cancelled, user)).Select(e => e.Id));
    }

    [Fact]
    public async Task FinishJob_CancelsThePendingEscalationsOfEveryDescendantItCancels()
    {
        var flows = (Parent: NewFlow("parent"), Child: NewFlow("child"));
        var user = "ann-" + NewId();
        var (parentId, children) = await SpawnAsync(flows.Parent, flows.Child, 1);
        var claimedChild = await ClaimOneAsync(flows.Child, children[0].ChildId, now: T0 + 10);
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        Assert.True(await CommitOneAsync(StepOf(claimedChild, JobStatus.Blocking, now: T0 + 11) with
        {
            Waits = [new NewWait(escalationId, WaitTypes.Escalation)],
            Escalations = [new NewEscalation(escalationId, user, "Ship it?", JsonSerializer.Serialize(FormInputs, EnvoyJson.Options))],
        }));

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(parentId, JobStatus.Cancelled, "cancelled", T0 + 20)).Outcome);

        Assert.Equal(JobStatus.Cancelled, (await GetAsync(children[0].ChildId)).Status);
        Assert.Equal(EscalationStatus.Cancelled, (await Store.GetEscalationAsync(escalationId))!.Status);
        var reply = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", "bob", T0 + 30));
        Assert.Equal(StoreOutcome.JobTerminal, reply.Outcome);
        Assert.Equal(JobStatus.Cancelled, reply.Status);
        Assert.Equal(children[0].ChildId, reply.JobId);
    }

    /// <summary>A job that blocks on one escalation to <paramref name="user"/>, created at <paramref name="now"/> + 1.</summary>
    private async Task<(string JobId, string EscalationId)> EscalateAsync(string flow, string user, long now)
    {
        var id = await CreateAsync(flow, runAt: now, createdAt: now);
        var claimed = await ClaimOneAsync(flow, id, now: now);
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        var commit = StepOf(claimed, JobStatus.Blocking, now: now + 1) with
        {
            Waits = [new NewWait(escalationId, WaitTypes.Escalation)],
            Escalations = [new NewEscalation(escalationId, user, "Ship it?", JsonSerializer.Serialize(FormInputs, EnvoyJson.Options))],
        };
        Assert.True(await CommitOneAsync(commit));
        return (id, escalationId);
    }
}
