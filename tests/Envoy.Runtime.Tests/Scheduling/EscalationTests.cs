using System.Text.Json.Nodes;

namespace Envoy.Runtime.Tests.Scheduling;

public sealed class EscalationTests : SchedulerTestBase
{
    private static readonly EscalationInput[] Form =
    [
        EscalationInput.Approve("ok", "Approve"),
        EscalationInput.Comment("note", "Note"),
        EscalationInput.Select("size", "Size", new Dictionary<string, string> { ["s"] = "Small", ["l"] = "Large" }),
    ];

    /// <summary>Asks <paramref name="user"/>, then outputs everything under <c>$escalation</c> while the state resumes.</summary>
    private static StateFlow Ask(string user) => new(
    [
        new State("Ask")
        {
            OnEnter = async ctx => { ctx.Escalate(user, "Ship order 17?", Form); return ctx; },
            OnState = async ctx => ctx.Output(ctx.Get<JsonNode>("$escalation")?.DeepClone()),
        },
    ]);

    [Fact]
    public async Task Escalate_CreatesAPendingRecord_AndRaisesEscalationCreated()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);

        var id = await scheduler.ScheduleAsync("ask");
        var created = (EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout);
        var escalation = await scheduler.GetEscalationAsync(created.Escalation.Id);

        Assert.Equal(id, escalation.JobId);
        Assert.Equal(escalation.Id, escalation.WaitId);
        Assert.Equal("ann", escalation.User);
        Assert.Equal("Ship order 17?", escalation.Message);
        Assert.Equal(Form.Select(f => (f.Id, f.Kind)), escalation.Inputs.Select(i => (i.Id, i.Kind)));
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Null(escalation.Response);
        Assert.Null(escalation.RepliedBy);
        Assert.Null(escalation.AnsweredAt);
        Assert.Equal(created.Escalation.Id, escalation.Id);
        Assert.Equal("ann", created.Escalation.User);
        var job = await WaitForBlockingAsync(scheduler, id, escalation.Id);
        Assert.Equal([escalation.Id], job.Context.WaitingFor);
    }

    [Fact]
    public async Task Reply_Approved_ResumesTheStateWithTheEscalationKeysAndValues()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;

        await scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["ok"] = true, ["note"] = "ship it", ["size"] = "l" }, EscalationDecision.Approved, "bob");

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        var seen = job.Context.Output()!;
        Assert.Equal(escalationId, seen["id"]!.GetValue<string>());
        Assert.Equal("ann", seen["user"]!.GetValue<string>());
        Assert.Equal("Ship order 17?", seen["message"]!.GetValue<string>());
        Assert.Equal(3, seen["inputs"]!.AsArray().Count);
        Assert.Equal("approved", seen["status"]!.GetValue<string>());
        Assert.True(seen["ok"]!.GetValue<bool>());
        Assert.Equal("ship it", seen["note"]!.GetValue<string>());
        Assert.Equal("l", seen["size"]!.GetValue<string>());
        var escalation = await scheduler.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Approved, escalation.Status);
        Assert.Equal("ship it", escalation.Response!["note"]!.GetValue<string>());
        Assert.Equal("bob", escalation.RepliedBy);
        Assert.NotNull(escalation.AnsweredAt);
        Assert.True(escalation.AnsweredAt >= escalation.CreatedAt);
        Assert.Contains(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.EscalationAnswered);
    }

    [Fact]
    public async Task Reply_Rejected_ResumesWithStatusRejected_AndTheValuesStillReadable()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", new StateFlow(
        [
            new State("Ask")
            {
                OnEnter = async ctx => { ctx.Escalate("ann", "Ship?", Form); return ctx; },
                OnState = async ctx => ctx.Output(ctx.Get<string>("$escalation.status") + ":" + ctx.Get<string>("$escalation.note")),
                Router = Router.Routes(
                    new Dictionary<string, Route> { ["Shipped"] = new Route(), ["Refused"] = new Route() },
                    async ctx => ctx.Get<string>("$escalation.status") == "approved" ? "Shipped" : "Refused"),
            },
            new State("Shipped") { OnState = async ctx => ctx },
            new State("Refused") { OnState = async ctx => ctx.Output("refused after " + ctx.Input<string>()) },
        ])));
        var id = await scheduler.ScheduleAsync("ask");
        Escalation? escalation = null;
        await WaitUntilAsync(async () => (escalation = (await scheduler.ListEscalationsAsync(EscalationStatus.Pending)).SingleOrDefault(e => e.JobId == id)) is not null, "the job asks");

        await scheduler.ReplyToEscalationAsync(escalation!.Id, new Dictionary<string, object?> { ["note"] = "too expensive" }, EscalationDecision.Rejected);

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("refused after rejected:too expensive", job.Context.Output<string>());
        var answered = await scheduler.GetEscalationAsync(escalation.Id);
        Assert.Equal(EscalationStatus.Rejected, answered.Status);
        Assert.Equal("too expensive", answered.Response!["note"]!.GetValue<string>());
        Assert.Null(answered.RepliedBy);
    }

    [Fact]
    public async Task Reply_Twice_ThrowsAlreadyAnsweredAndKeepsTheFirstReply()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
        await scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["note"] = "first" }, EscalationDecision.Approved);

        var error = await Assert.ThrowsAsync<EscalationAlreadyAnsweredException>(() =>
            scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["note"] = "second" }, EscalationDecision.Rejected));

        Assert.Equal(escalationId, error.EscalationId);
        Assert.Equal(EscalationStatus.Approved, error.Status);
        var escalation = await scheduler.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Approved, escalation.Status);
        Assert.Equal("first", escalation.Response!["note"]!.GetValue<string>());
        Assert.Equal("first", (await scheduler.WaitForJobAsync(id, Timeout)).Context.Output()!["note"]!.GetValue<string>());
        await Assert.ThrowsAsync<EscalationAlreadyAnsweredException>(() =>
            scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?>(), EscalationDecision.Approved));
    }

    [Fact]
    public async Task Reply_UnknownEscalation_ThrowsEscalationNotFound()
    {
        var scheduler = await NewSchedulerAsync();
        var id = "w_" + Guid.NewGuid().ToString("N");

        var reply = await Assert.ThrowsAsync<EscalationNotFoundException>(() => scheduler.ReplyToEscalationAsync(id, new Dictionary<string, object?>(), EscalationDecision.Approved));
        var get = await Assert.ThrowsAsync<EscalationNotFoundException>(() => scheduler.GetEscalationAsync(id));

        Assert.Equal(id, reply.EscalationId);
        Assert.Equal(id, get.EscalationId);
    }

    [Fact]
    public async Task Reply_ForACancelledJob_ThrowsJobAlreadyTerminal_AndTheEscalationIsCancelled()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
        await events.WaitForBlockingAsync(id, Timeout);
        await scheduler.CancelJobAsync(id);

        var error = await Assert.ThrowsAsync<JobAlreadyTerminalException>(() =>
            scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?>(), EscalationDecision.Approved));

        Assert.Equal(id, error.JobId);
        Assert.Equal(JobStatus.Cancelled, error.Status);
        Assert.Equal(EscalationStatus.Cancelled, (await scheduler.GetEscalationAsync(escalationId)).Status);
    }

    [Theory]
    [InlineData("nope", "\"x\"")]
    [InlineData("status", "\"approved\"")]
    [InlineData("id", "\"forged\"")]
    [InlineData("size", "\"xl\"")]
    [InlineData("size", "1")]
    [InlineData("ok", "\"yes\"")]
    [InlineData("ok", "1")]
    public async Task Reply_AValueThatDoesNotFitTheInputs_IsInvalidEscalationReplyNamingTheInput_AndNothingChanges(string inputId, string json)
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
        await events.WaitForBlockingAsync(id, Timeout);
        var before = await scheduler.GetJobAsync(id);
        var values = new Dictionary<string, object?> { ["note"] = "fine", [inputId] = JsonNode.Parse(json) };

        var error = await Assert.ThrowsAsync<InvalidEscalationReplyException>(() => scheduler.ReplyToEscalationAsync(escalationId, values, EscalationDecision.Approved, "bob"));

        Assert.Equal(escalationId, error.EscalationId);
        Assert.Equal(inputId, error.InputId);
        Assert.Contains($"'{inputId}'", error.Message, StringComparison.Ordinal);
        var escalation = await scheduler.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Pending, escalation.Status);
        Assert.Null(escalation.Response);
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal((JobStatus.Blocking, before.Version), (after.Status, after.Version));

        // A reply that fits still goes through.
        await scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["ok"] = false, ["size"] = "s", ["note"] = null }, EscalationDecision.Approved);
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("approved", job.Context.Output()!["status"]!.GetValue<string>());
        Assert.Equal(escalationId, job.Context.Output()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Escalations_OfAJobFailedByHand_AndOfTheDescendantsACancelEnds_AreCancelled()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")).AddFlow("parent", OneState(async ctx => { ctx.Spawn("ask", null, "a"); return ctx; })));
        using var events = new EventRecorder(scheduler);
        var failed = await scheduler.ScheduleAsync("ask");
        var parent = await scheduler.ScheduleAsync("parent");
        await events.WaitForBlockingAsync(parent, Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = parent })).Id;
        var asked = new Dictionary<string, string>();
        foreach (var id in new[] { failed, child })
        {
            asked[id] = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
            await events.WaitForBlockingAsync(id, Timeout);
        }

        await scheduler.FailJobAsync(failed, "operator gave up");
        await scheduler.CancelJobAsync(parent);

        Assert.Equal(EscalationStatus.Cancelled, (await scheduler.GetEscalationAsync(asked[failed])).Status);
        Assert.Equal(EscalationStatus.Cancelled, (await scheduler.GetEscalationAsync(asked[child])).Status);
        var pending = await scheduler.ListEscalationsAsync(EscalationStatus.Pending, "ann");
        Assert.DoesNotContain(pending, e => e.Id == asked[failed] || e.Id == asked[child]);
        Assert.Equal(asked.Values.Order(), (await scheduler.ListEscalationsAsync(EscalationStatus.Cancelled, "ann")).Select(e => e.Id).Order());
    }

    [Fact]
    public async Task ResolveBlockingJob_OnAnEscalationsWait_IsWaitTypeMismatch_AndAReplyStillResolvesIt()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", Ask("ann")));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
        await events.WaitForBlockingAsync(id, Timeout);
        var before = await scheduler.GetJobAsync(id);

        var error = await Assert.ThrowsAsync<WaitTypeMismatchException>(() => scheduler.ResolveBlockingJobAsync(id, escalationId, new { ok = true }));

        Assert.Equal((id, escalationId, WaitTypes.Escalation), (error.JobId, error.WaitId, error.WaitType));
        Assert.Contains("ReplyToEscalationAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal((JobStatus.Blocking, before.Version), ((await scheduler.GetJobAsync(id)).Status, (await scheduler.GetJobAsync(id)).Version));
        Assert.Equal(EscalationStatus.Pending, (await scheduler.GetEscalationAsync(escalationId)).Status);
        await scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["note"] = "ok" }, EscalationDecision.Approved);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
    }

    [Fact]
    public async Task ListEscalations_FiltersByStatusAndUser()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ann", Ask("ann")).AddFlow("bob", Ask("bob")));
        using var events = new EventRecorder(scheduler);
        var ids = new[] { await scheduler.ScheduleAsync("ann"), await scheduler.ScheduleAsync("ann"), await scheduler.ScheduleAsync("bob") };
        var escalations = new List<string>();
        foreach (var id in ids)
        {
            escalations.Add(((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id);
        }

        await scheduler.ReplyToEscalationAsync(escalations[0], new Dictionary<string, object?>(), EscalationDecision.Approved);
        await scheduler.ReplyToEscalationAsync(escalations[2], new Dictionary<string, object?>(), EscalationDecision.Rejected);

        Assert.Equal(escalations.Order(), (await scheduler.ListEscalationsAsync()).Select(e => e.Id).Order());
        Assert.Equal(new[] { escalations[0], escalations[1] }.Order(), (await scheduler.ListEscalationsAsync(user: "ann")).Select(e => e.Id).Order());
        Assert.Equal([escalations[1]], (await scheduler.ListEscalationsAsync(EscalationStatus.Pending)).Select(e => e.Id));
        Assert.Equal([escalations[0]], (await scheduler.ListEscalationsAsync(EscalationStatus.Approved, "ann")).Select(e => e.Id));
        Assert.Equal([escalations[2]], (await scheduler.ListEscalationsAsync(EscalationStatus.Rejected)).Select(e => e.Id));
        Assert.Empty(await scheduler.ListEscalationsAsync(EscalationStatus.Rejected, "ann"));
        Assert.Empty(await scheduler.ListEscalationsAsync(user: "carol"));
    }
}
