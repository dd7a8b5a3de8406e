using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class SerializationTests
{
    [Fact]
    public void Serialize_FreshContext_RoundTripsExactly()
    {
        var ctx = new StateContext("Start");

        var restored = Handlers.RoundTrip(ctx);

        Assert.Equal("Start", restored.State);
        Assert.Equal(1, restored.Step);
        Assert.Null(restored.Input());
        Assert.Null(restored.Done);
    }

    [Fact]
    public void Serialize_RichContext_RoundTripsEveryField()
    {
        var ctx = new StateContext("Work", new { text = "héllo <b>\"quoted\"</b> \u2603", n = 1.5, big = 12345678901234L, list = new object?[] { 1, null, "x" } })
            .Output(new Point(3, 4))
            .Set("a.b.c", 0.1)
            .Set("$eph", true)
            .Set("nothing", null)
            .Set("emoji", "🙂");
        ctx.JobId = "job-1";

        var restored = Handlers.RoundTrip(ctx);

        Assert.Equal("job-1", restored.JobId);
        Assert.Equal(new Point(3, 4), restored.Output<Point>());
        Assert.Equal("héllo <b>\"quoted\"</b> \u2603", restored.Input()?["text"]?.GetValue<string>());
        Assert.Equal(12345678901234L, restored.Input()?["big"]?.GetValue<long>());
        Assert.Equal(0.1, restored.Get<double>("a.b.c"));
        Assert.True(restored.Get<bool>("$eph"));
        Assert.True(restored.Has("nothing"));
        Assert.Equal("🙂", restored.Get<string>("emoji"));
        Assert.True(JsonNode.DeepEquals(ctx.Input(), restored.Input()));
        Assert.True(JsonNode.DeepEquals(ctx.Data, restored.Data));
    }

    [Fact]
    public async Task Serialize_FinishedContexts_RoundTripDoneAndError()
    {
        var finished = await new StateFlow([new State("A") { OnState = async ctx => ctx.Output("x") }]).RunAsync();
        var failed = new StateContext("A").Fail("went wrong");
        var cancelled = new StateContext("A").MarkCancelled("stop");
        var maxed = await new StateFlow([new State("A") { OnState = Handlers.Noop, Router = Router.Next("A") }], new StateFlowOptions { MaxSteps = 2 }).RunAsync();

        Assert.Equal(DoneReason.Finished, Handlers.RoundTrip(finished).Done);
        var f = Handlers.RoundTrip(failed);
        Assert.Equal((DoneReason.Error, "went wrong"), (f.Done, f.Error));
        var c = Handlers.RoundTrip(cancelled);
        Assert.Equal((DoneReason.Cancelled, "stop"), (c.Done, c.Error));
        var m = Handlers.RoundTrip(maxed);
        Assert.Equal(DoneReason.MaxSteps, m.Done);
        Assert.Equal(maxed.Error, m.Error);
        Assert.Equal(2, m.Step);
    }

    [Fact]
    public void Serialize_WaitsInEveryStatus_RoundTrip()
    {
        var ctx = new StateContext("S").WaitFor(
            new WaitFor("pending", "webhook", new JsonObject { ["url"] = "/hook" }),
            new WaitFor("ok", "webhook"),
            new WaitFor("bad", "webhook"));
        var spawnId = ctx.Spawn("child", new { n = 1 }, "kid");
        var escalationId = ctx.Escalate("alice", "ok?", [EscalationInput.Select("s", "S", new Dictionary<string, string> { ["a"] = "A" })]);
        ctx.Resolve("ok", new { v = 1 }).Reject("bad", "nope").Resolve(spawnId, "child result").Reject(escalationId, "rejected", new { s = "a" });

        var restored = Handlers.RoundTrip(ctx);

        Assert.Equal(["pending"], restored.WaitingFor);
        Assert.Equal(5, restored.Waits.Count);
        Assert.Equal("/hook", restored.GetWait("pending")?.Params?["url"]?.GetValue<string>());
        Assert.Equal(1, restored.GetWait("ok")?.Output?["v"]?.GetValue<int>());
        Assert.Equal((WaitStatus.Error, "nope"), (restored.GetWait("bad")?.Status, restored.GetWait("bad")?.Error));
        Assert.Equal(WaitTypes.Spawn, restored.GetWait(spawnId)?.Type);
        Assert.Equal("child result", restored.Get<string>("$spawn.kid.result"));
        Assert.Equal("rejected", restored.Get<string>("$escalation.status"));
        Assert.Equal("a", restored.Get<string>("$escalation.s"));
        Assert.Throws<WaitAlreadyResolvedException>(() => restored.Resolve("ok", 2));
        restored.Resolve("pending", 3);
        Assert.False(restored.IsWaiting);
    }

    public static TheoryData<string, StepPhase, int> StopPhases => new()
    {
        { "plugin.OnEnter", StepPhase.PluginEnter, 1 },
        { "OnEnter", StepPhase.State, 0 },
        { "OnState", StepPhase.PluginExit, 0 },
        { "plugin.OnExit", StepPhase.PluginExit, 1 },
        { "OnExit", StepPhase.Route, 0 },
    };

    /// <summary>A three-state flow whose middle state waits (a fixed wait id) in <paramref name="waitIn"/>, recording every handler that runs.</summary>
    private static StateFlow WaitingFlow(string waitIn, List<string> log)
    {
        Func<StateContext, Task<StateContext>> Handler(string where) => async ctx =>
        {
            log.Add($"{ctx.State}.{where}");
            ctx.Set("trail", ctx.Get<string>("trail") + $"/{ctx.State}.{where}");
            if (ctx.State == "Middle" && where == waitIn)
            {
                ctx.WaitFor(new WaitFor("w-" + where, "webhook", new JsonObject { ["where"] = where }));
            }
            else if (ctx.State == "Middle")
            {
                ctx.Set("$seen." + where.Replace('.', '_'), ctx.GetWait("w-" + waitIn)?.Output);
            }

            return ctx;
        };

        return new StateFlow(
            [
                new State("First") { OnState = async ctx => ctx.Output(new { n = ctx.Input<int>() }).Set("first", true) },
                new State("Middle")
                {
                    OnEnter = Handler("OnEnter"),
                    OnState = Handler("OnState"),
                    OnExit = Handler("OnExit"),
                    Router = Router.Routes(
                        new Dictionary<string, Route>
                        {
                            ["Last"] = new()
                            {
                                Map = (o, ctx) => new JsonObject
                                {
                                    ["mapped"] = o?.DeepClone(),
                                    ["seen"] = ctx.Get<JsonNode>("$seen")?.DeepClone(),
                                    ["waitResult"] = ctx.GetWait("w-" + waitIn)?.Output?.DeepClone(),
                                },
                            },
                        },
                        async ctx => "Last"),
                },
                new State("Last") { OnState = async ctx => ctx.Output("final", ctx.Get<string>("trail")), Router = Router.End },
            ],
            new StateFlowOptions
            {
                Plugins =
                [
                    new StateFlowPlugin("p0") { OnEnter = Handler("plugin.OnEnter"), OnExit = Handler("plugin.OnExit") },
                    new StateFlowPlugin("p1") { OnEnter = Handler("p1.OnEnter"), OnExit = Handler("p1.OnExit") },
                ],
            });
    }

    [Theory]
    [MemberData(nameof(StopPhases))]
    public async Task Serialize_ContextStoppedOnAWait_RoundTripsExactlyWithItsPhase(string waitIn, StepPhase phase, int phaseIndex)
    {
        var flow = WaitingFlow(waitIn, []);
        var ctx = await flow.StepAsync(flow.NewContext(7));

        ctx = await flow.StepAsync(ctx);

        Assert.Equal("Middle", ctx.State);
        Assert.Equal(["w-" + waitIn], ctx.WaitingFor);
        var restored = Handlers.RoundTrip(ctx);
        Assert.Equal((phase, phaseIndex), (restored.Phase, restored.PhaseIndex));
        Assert.Equal(["w-" + waitIn], restored.WaitingFor);
        Assert.Equal(ctx.Step, restored.Step);
        restored.Resolve("w-" + waitIn, "answer");
        Handlers.RoundTrip(restored);
    }

    [Theory]
    [MemberData(nameof(StopPhases))]
    public async Task Serialize_StoppedOnAWaitThenContinued_EndsLikeAnUninterruptedRun(string waitIn, StepPhase phase, int phaseIndex)
    {
        _ = (phase, phaseIndex);
        var directLog = new List<string>();
        var roundTripLog = new List<string>();

        var direct = await Handlers.DriveAsync(WaitingFlow(waitIn, directLog), 7, roundTrip: false);
        var viaJson = await Handlers.DriveAsync(WaitingFlow(waitIn, roundTripLog), 7, roundTrip: true);

        Assert.Equal(DoneReason.Finished, direct.Done);
        Assert.Equal(direct.Serialize(), viaJson.Serialize());
        Assert.Equal(directLog, roundTripLog);
        Assert.Single(directLog, e => e == "Middle." + waitIn);
        Assert.Equal("result:w-" + waitIn, direct.Input()?["waitResult"]?.GetValue<string>());
        Assert.Equal(7, direct.Input()?["mapped"]?["n"]?.GetValue<int>());
    }

    [Fact]
    public async Task Serialize_EveryStepThenResume_EndsLikeRunAsync()
    {
        var flow = new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(new Point(ctx.Input<int>(), 0)).Set("a", 1).Set("$e", "x") },
            new State("B") { OnState = async ctx => ctx.Output(ctx.Input<Point>()! with { Y = 9 }).Set("b", ctx.Has("$e")) },
            new State("C") { OnState = async ctx => ctx.Output("sum", ctx.Input<Point>()!.X + ctx.Input<Point>()!.Y), Router = Router.End },
        ]);
        var expected = (await flow.RunAsync(5)).Serialize();

        for (var stopAfter = 0; stopAfter <= 2; stopAfter++)
        {
            var ctx = flow.NewContext(5);
            for (var i = 0; i < stopAfter; i++)
            {
                ctx = await flow.StepAsync(ctx);
            }

            var resumed = await flow.ResumeAsync(StateContext.Deserialize(ctx.Serialize()));

            Assert.Equal(expected, resumed.Serialize());
        }
    }

    [Fact]
    public async Task Serialize_StoppedOnASpawn_ResumeAsyncEndsLikeRunAsync()
    {
        var child = new StateFlow([new State("Double") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 2) }]);
        var flow = new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx =>
                    {
                        ctx.Spawn("double", ctx.Input<int>(), "d");
                        return ctx;
                    },
                    OnExit = async ctx => ctx.Output(ctx.Get<int>("$spawn.d.result")).Set("status", ctx.Get<string>("$spawn.d.status")),
                },
                new State("Use") { OnState = async ctx => ctx.Output(ctx.Input<int>() + 1), Router = Router.End },
            ],
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["double"] = child } });
        var expected = await flow.RunAsync(20);

        var blocked = await flow.StepAsync(flow.NewContext(20));
        Assert.True(blocked.IsWaiting);
        var resumed = await flow.ResumeAsync(Handlers.RoundTrip(blocked));

        Assert.Equal(41, expected.Output<int>());
        Assert.Equal("success", expected.Get<string>("status"));
        Assert.Equal(expected.Serialize(), resumed.Serialize());
    }

    public static TheoryData<string> MalformedJson => new()
    {
        "",
        "   ",
        "not json",
        "{",
        "{\"v\":1,\"state\":\"A\",\"step\":1",
        "[]",
        "null",
        "42",
        "\"text\"",
        "{}",
        "{\"v\":2,\"state\":\"A\",\"step\":1}",
        "{\"v\":\"one\",\"state\":\"A\",\"step\":1}",
        "{\"v\":1,\"step\":1}",
        "{\"v\":1,\"state\":\"\",\"step\":1}",
        "{\"v\":1,\"state\":{},\"step\":1}",
        "{\"v\":1,\"state\":\"A\"}",
        "{\"v\":1,\"state\":\"A\",\"step\":0}",
        "{\"v\":1,\"state\":\"A\",\"step\":\"two\"}",
        "{\"v\":1,\"state\":\"A\",\"step\":1.5}",
        "{\"v\":1,\"state\":\"A\",\"step\":99999999999}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"data\":[1]}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"data\":\"x\"}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"phase\":\"somewhere\"}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"phaseIndex\":-1}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"done\":\"exploded\"}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"error\":5}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":5}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":{}}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":[5]}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":[{\"type\":\"t\",\"status\":\"pending\"}]}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":[{\"id\":\"w\",\"status\":\"pending\"}]}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":[{\"id\":\"w\",\"type\":\"t\",\"status\":\"maybe\"}]}",
        "{\"v\":1,\"state\":\"A\",\"step\":1,\"waits\":[{\"id\":\"w\",\"type\":\"t\",\"status\":\"pending\"},{\"id\":\"w\",\"type\":\"t\",\"status\":\"pending\"}]}",
    };

    [Theory]
    [MemberData(nameof(MalformedJson))]
    public void Deserialize_MalformedJson_ThrowsContextValueException(string json)
    {
        var ex = Assert.Throws<ContextValueException>(() => StateContext.Deserialize(json));

        Assert.Equal("context", ex.Path);
        Assert.Contains("serialized context", ex.Message);
    }

    [Fact]
    public void Deserialize_TooDeeplyNestedJson_ThrowsContextValueException()
    {
        var deep = new string('[', 300) + new string(']', 300);
        var json = "{\"v\":1,\"state\":\"A\",\"step\":1,\"input\":" + deep + "}";

        Assert.Throws<ContextValueException>(() => StateContext.Deserialize(json));
    }

    [Fact]
    public void Deserialize_Null_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => StateContext.Deserialize(null!));
    }

    [Fact]
    public void Deserialize_MinimalDocument_FillsDefaults()
    {
        var ctx = StateContext.Deserialize("""{"v":1,"state":"A","step":3}""");

        Assert.Equal(("A", 3), (ctx.State, ctx.Step));
        Assert.Null(ctx.Done);
        Assert.Equal(StepPhase.PluginEnter, ctx.Phase);
        Assert.Empty(ctx.Waits);
        Assert.Null(ctx.Output());
    }

    [Fact]
    public void Serialize_DoesNotIncludeTheCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        var ctx = new StateContext("A") { CancellationToken = cts.Token };

        var restored = StateContext.Deserialize(ctx.Serialize());

        Assert.False(restored.CancellationToken.CanBeCanceled);
    }
}
