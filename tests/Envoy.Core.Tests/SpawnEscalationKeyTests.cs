using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class SpawnEscalationKeyTests
{
    [Fact]
    public async Task Spawn_Resolved_PublishesSpawnKeysForThatState()
    {
        var flow = new StateFlow(
        [
            new State("Parent")
            {
                OnState = async ctx =>
                {
                    ctx.Spawn("child", new { n = 1 }, "kid");
                    return ctx;
                },
                OnExit = async ctx => ctx
                    .Set("status", ctx.Get<string>("$spawn.kid.status"))
                    .Set("result", ctx.Get<JsonNode>("$spawn.kid.result"))
                    .Set("hasError", ctx.Has("$spawn.kid.error")),
            },
            new State("Next") { OnState = async ctx => ctx.Set("spawnKeysInNext", ctx.Has("$spawn")), Router = Router.End },
        ]);
        var waiting = await flow.StepAsync(flow.NewContext());

        waiting.Resolve(waiting.WaitingFor[0], new { total = 3 });
        Assert.Equal("success", waiting.Get<string>("$spawn.kid.status"));
        Assert.Equal(3, waiting.Get<int>("$spawn.kid.result.total"));
        var ctx = await flow.StepAsync(waiting);
        ctx = await flow.StepAsync(ctx);

        Assert.Equal("success", ctx.Get<string>("status"));
        Assert.Equal(3, ctx.Get<int>("result.total"));
        Assert.False(ctx.Get<bool>("hasError"));
        Assert.False(ctx.Get<bool>("spawnKeysInNext"));
    }

    [Fact]
    public void Spawn_Rejected_PublishesErrorStatusAndMessage()
    {
        var ctx = new StateContext("S");
        var id = ctx.Spawn("child", null, "kid");

        ctx.Reject(id, "child failed: boom");

        Assert.Equal("error", ctx.Get<string>("$spawn.kid.status"));
        Assert.Equal("child failed: boom", ctx.Get<string>("$spawn.kid.error"));
        Assert.False(ctx.Has("$spawn.kid.result"));
        Assert.Equal(WaitStatus.Error, ctx.GetWait(id)?.Status);
        Assert.Equal("child failed: boom", ctx.GetWait(id)?.Error);
    }

    [Fact]
    public void Spawn_Cancelled_PublishesCancelledStatus()
    {
        var ctx = new StateContext("S");
        var id = ctx.Spawn("child", null, "kid");

        ctx.Cancel(id);

        Assert.Equal("cancelled", ctx.Get<string>("$spawn.kid.status"));
        Assert.Equal(WaitStatus.Error, ctx.GetWait(id)?.Status);
        Assert.False(ctx.IsWaiting);
    }

    [Fact]
    public void Spawn_Names_DefaultToTheFlowAndAreNumberedWhenRepeated()
    {
        var ctx = new StateContext("S");

        var first = ctx.Spawn("child", 1);
        var second = ctx.Spawn("child", 2);
        var dotted = ctx.Spawn("my.flow", 3);
        ctx.Resolve(first, "r1").Resolve(second, "r2").Resolve(dotted, "r3");

        Assert.Equal("r1", ctx.Get<string>("$spawn.child.result"));
        Assert.Equal("r2", ctx.Get<string>("$spawn.child-2.result"));
        Assert.Equal("r3", ctx.Get<string>("$spawn.my_flow.result"));
        Assert.Equal("my.flow", ctx.GetWait(dotted)?.Params?["flow"]?.GetValue<string>());
    }

    [Fact]
    public void Spawn_BadNames_AreRefused()
    {
        var ctx = new StateContext("S");
        ctx.Spawn("child", null, "kid");

        Assert.ThrowsAny<ArgumentException>(() => ctx.Spawn("child", null, "kid"));
        Assert.ThrowsAny<ArgumentException>(() => ctx.Spawn("child", null, "a.b"));
        Assert.ThrowsAny<ArgumentException>(() => ctx.Spawn("child", null, ""));
        Assert.ThrowsAny<ArgumentException>(() => ctx.Spawn("", null));
        Assert.Single(ctx.Waits);
    }

    [Fact]
    public void Escalation_Approved_PublishesEscalationKeys()
    {
        var ctx = new StateContext("S");
        var id = ctx.Escalate("alice", "Approve this action?",
        [
            EscalationInput.Select("reason", "Reason", new Dictionary<string, string> { ["a"] = "A", ["b"] = "B" }),
            EscalationInput.Comment("note", "Note"),
        ]);

        ctx.Resolve(id, new Dictionary<string, object?> { ["reason"] = "a", ["note"] = "Looks good" });

        Assert.Equal("a", ctx.Get<string>("$escalation.reason"));
        Assert.Equal("Looks good", ctx.Get<string>("$escalation.note"));
        Assert.Equal("approved", ctx.Get<string>("$escalation.status"));
        Assert.Equal(id, ctx.Get<string>("$escalation.id"));
        Assert.Equal("alice", ctx.Get<string>("$escalation.user"));
        Assert.Equal("Approve this action?", ctx.Get<string>("$escalation.message"));
        var inputs = ctx.Get<JsonArray>("$escalation.inputs")!;
        Assert.Equal(2, inputs.Count);
        Assert.Equal("reason", inputs[0]?["id"]?.GetValue<string>());
        Assert.Equal("select", inputs[0]?["kind"]?.GetValue<string>());
        Assert.Equal("A", inputs[0]?["options"]?["a"]?.GetValue<string>());
        Assert.Equal("comment", inputs[1]?["kind"]?.GetValue<string>());
        Assert.Equal(WaitStatus.Success, ctx.GetWait(id)?.Status);
    }

    [Fact]
    public void Escalation_Rejected_PublishesRejectedStatusAndKeepsTheValues()
    {
        var ctx = new StateContext("S");
        var id = ctx.Escalate("bob", "Ship it?", [EscalationInput.Approve("ok", "OK"), EscalationInput.Comment("note", "Why")]);

        ctx.Reject(id, "rejected by bob", new { ok = false, note = "not yet" });

        Assert.Equal("rejected", ctx.Get<string>("$escalation.status"));
        Assert.Equal("not yet", ctx.Get<string>("$escalation.note"));
        Assert.False(ctx.Get<bool>("$escalation.ok"));
        Assert.Equal("bob", ctx.Get<string>("$escalation.user"));
        var wait = ctx.GetWait(id)!;
        Assert.Equal(WaitStatus.Error, wait.Status);
        Assert.Equal("rejected by bob", wait.Error);
    }

    [Fact]
    public async Task Escalation_ReplyIsReadableWhenTheStateResumesAndGoneAfter()
    {
        var flow = new StateFlow(
        [
            new State("Ask")
            {
                OnEnter = async ctx =>
                {
                    ctx.Escalate("alice", "Pick one", [EscalationInput.Select("pick", "Pick", new Dictionary<string, string> { ["x"] = "X" })]);
                    return ctx;
                },
                OnState = async ctx => ctx.Output($"{ctx.Get<string>("$escalation.status")}:{ctx.Get<string>("$escalation.pick")}"),
            },
            new State("After") { OnState = async ctx => ctx.Set("escalationInAfter", ctx.Has("$escalation")), Router = Router.End },
        ]);
        var waiting = await flow.StepAsync(flow.NewContext());

        waiting.Resolve(waiting.WaitingFor[0], new { pick = "x" });
        var ctx = await flow.StepAsync(waiting);
        ctx = await flow.StepAsync(ctx);

        Assert.Equal("approved:x", ctx.Output<string>());
        Assert.False(ctx.Get<bool>("escalationInAfter"));
    }

    [Fact]
    public void EscalationInput_SelectWithoutOptions_IsRefused()
    {
        Assert.ThrowsAny<ArgumentException>(() => EscalationInput.Select("s", "S", new Dictionary<string, string>()));
        Assert.ThrowsAny<ArgumentException>(() => EscalationInput.Approve("", "x"));
        Assert.Throws<ArgumentNullException>(() => EscalationInput.Comment("c", null!));
    }

    [Fact]
    public void Escalate_BadArguments_AreRefused()
    {
        var ctx = new StateContext("S");

        Assert.ThrowsAny<ArgumentException>(() => ctx.Escalate("", "m", []));
        Assert.Throws<ArgumentNullException>(() => ctx.Escalate("u", null!, []));
        Assert.Throws<ArgumentNullException>(() => ctx.Escalate("u", "m", null!));
        Assert.Empty(ctx.Waits);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("user")]
    [InlineData("message")]
    [InlineData("inputs")]
    [InlineData("status")]
    [InlineData("repliedBy")]
    public void Escalate_AnInputIdThatIsAMetadataName_IsRefusedNamingIt(string reserved)
    {
        var ctx = new StateContext("S");

        var error = Assert.ThrowsAny<ArgumentException>(() => ctx.Escalate("ann", "Ship?", [EscalationInput.Comment("note", "Note"), EscalationInput.Comment(reserved, "Bad")]));

        Assert.Contains($"'{reserved}'", error.Message, StringComparison.Ordinal);
        Assert.Equal("inputs", error.ParamName);
        Assert.Contains(reserved, StateContext.EscalationMetadataNames);
        Assert.Empty(ctx.Waits);
    }

    [Fact]
    public void Escalate_TwoInputsWithOneId_IsRefusedNamingIt()
    {
        var ctx = new StateContext("S");

        var error = Assert.ThrowsAny<ArgumentException>(() => ctx.Escalate("ann", "Ship?", [EscalationInput.Comment("note", "Note"), EscalationInput.Approve("note", "Again")]));

        Assert.Contains("'note'", error.Message, StringComparison.Ordinal);
        Assert.Empty(ctx.Waits);
    }

    [Fact]
    public void Escalation_AReplyValueNamedLikeMetadata_DoesNotOverwriteIt()
    {
        var ctx = new StateContext("S");
        var id = ctx.Escalate("bob", "Ship it?", [EscalationInput.Comment("note", "Why")]);

        ctx.Resolve(id, new { note = "fine", status = "forged", user = "eve" });

        Assert.Equal("approved", ctx.Get<string>("$escalation.status"));
        Assert.Equal("bob", ctx.Get<string>("$escalation.user"));
        Assert.Equal("fine", ctx.Get<string>("$escalation.note"));
    }
}
