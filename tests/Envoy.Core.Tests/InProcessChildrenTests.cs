using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class InProcessChildrenTests
{
    private static StateFlow DoubleChild() => new([new State("Double") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 2) }]);

    private static StateFlow ParentSpawning(StateFlowOptions options, params (string Flow, object? Input, string Name)[] children) => new(
        [
            new State("Parent")
            {
                OnState = async ctx =>
                {
                    foreach (var (flow, input, name) in children)
                    {
                        ctx.Spawn(flow, input, name);
                    }

                    return ctx;
                },
                OnExit = async ctx =>
                {
                    var results = new JsonObject();
                    foreach (var (_, _, name) in children)
                    {
                        results[name] = new JsonObject
                        {
                            ["status"] = ctx.Get<string>($"$spawn.{name}.status"),
                            ["result"] = ctx.Get<JsonNode>($"$spawn.{name}.result")?.DeepClone(),
                            ["error"] = ctx.Get<string>($"$spawn.{name}.error"),
                        };
                    }

                    return ctx.Output(results);
                },
            },
            new State("After") { OnState = async ctx => ctx.Set("afterRan", true), Router = Router.End },
        ],
        options);

    [Fact]
    public async Task RunAsync_SpawnedChildRegisteredInFlows_RunsInProcess()
    {
        var flow = ParentSpawning(
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["double"] = DoubleChild() } },
            ("double", 21, "d"));

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.True(ctx.Get<bool>("afterRan"));
        Assert.Equal("success", ctx.Output()?["d"]?["status"]?.GetValue<string>());
        Assert.Equal(42, ctx.Output()?["d"]?["result"]?.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_SpawnedChildFoundByResolver_RunsInProcess()
    {
        var asked = new List<string>();
        var flow = ParentSpawning(
            new StateFlowOptions
            {
                FlowResolver = name =>
                {
                    asked.Add(name);
                    return name == "double" ? DoubleChild() : null;
                },
            },
            ("double", 5, "d"));

        var ctx = await flow.RunAsync();

        Assert.Equal(["double"], asked);
        Assert.Equal(10, ctx.Output()?["d"]?["result"]?.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_SeveralChildren_AllResolveTheirWaits()
    {
        var flow = ParentSpawning(
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["double"] = DoubleChild() } },
            ("double", 1, "one"),
            ("double", 2, "two"),
            ("double", 3, "three"));

        var ctx = await flow.RunAsync();

        Assert.Equal(2, ctx.Output()?["one"]?["result"]?.GetValue<int>());
        Assert.Equal(4, ctx.Output()?["two"]?["result"]?.GetValue<int>());
        Assert.Equal(6, ctx.Output()?["three"]?["result"]?.GetValue<int>());
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }

    [Fact]
    public async Task RunAsync_SeveralChildren_RunAtTheSameTime()
    {
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var rendezvous = new StateFlow(
        [
            new State("Meet")
            {
                OnState = async ctx =>
                {
                    if (Interlocked.Increment(ref started) == 2)
                    {
                        bothStarted.TrySetResult();
                    }

                    // Each child waits until the other has started: this only completes if they run concurrently.
                    await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.CancellationToken);
                    return ctx.Output("met");
                },
            },
        ]);
        var flow = ParentSpawning(
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["meet"] = rendezvous } },
            ("meet", null, "left"),
            ("meet", null, "right"));

        var ctx = await flow.RunAsync();

        Assert.Equal("met", ctx.Output()?["left"]?["result"]?.GetValue<string>());
        Assert.Equal("met", ctx.Output()?["right"]?["result"]?.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_FailingChild_ResolvesTheParentsWaitWithItsErrorAndTheParentContinues()
    {
        var failing = new StateFlow([new State("Boom") { OnState = async ctx => ctx.Fail("child says no") }]);
        var throwing = new StateFlow([new State("Throw") { OnState = async ctx => throw new InvalidOperationException("child threw") }]);
        var looping = new StateFlow([new State("Spin") { OnState = Handlers.Noop, Router = Router.Next("Spin") }], new StateFlowOptions { MaxSteps = 2 });
        var flow = ParentSpawning(
            new StateFlowOptions
            {
                Flows = new Dictionary<string, StateFlow> { ["double"] = DoubleChild(), ["failing"] = failing, ["throwing"] = throwing, ["looping"] = looping },
            },
            ("double", 4, "ok"),
            ("failing", null, "failed"),
            ("throwing", null, "threw"),
            ("looping", null, "looped"));

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.True(ctx.Get<bool>("afterRan"));
        Assert.Equal(8, ctx.Output()?["ok"]?["result"]?.GetValue<int>());
        Assert.Equal("error", ctx.Output()?["failed"]?["status"]?.GetValue<string>());
        Assert.Equal("child says no", ctx.Output()?["failed"]?["error"]?.GetValue<string>());
        Assert.Equal("error", ctx.Output()?["threw"]?["status"]?.GetValue<string>());
        Assert.Contains("child threw", ctx.Output()?["threw"]?["error"]?.GetValue<string>());
        Assert.Equal("error", ctx.Output()?["looped"]?["status"]?.GetValue<string>());
        Assert.Contains("MaxSteps", ctx.Output()?["looped"]?["error"]?.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_ParentSeesChildErrorThroughGetWait()
    {
        var failing = new StateFlow([new State("Boom") { OnState = async ctx => ctx.Fail("nope") }]);
        var flow = new StateFlow(
            [
                new State("P")
                {
                    OnState = async ctx => ctx.Set("$id", ctx.Spawn("failing", null)),
                    OnExit = async ctx =>
                    {
                        var wait = ctx.GetWait(ctx.Get<string>("$id")!)!;
                        return ctx.Output($"{wait.Status}:{wait.Error}");
                    },
                },
            ],
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["failing"] = failing } });

        var ctx = await flow.RunAsync();

        Assert.Equal("Error:nope", ctx.Output<string>());
    }

    [Fact]
    public async Task RunAsync_NestedChildren_RunInProcess()
    {
        var grandchild = DoubleChild();
        var child = new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx =>
                    {
                        ctx.Spawn("double", ctx.Input<int>(), "g");
                        return ctx;
                    },
                    OnExit = async ctx => ctx.Output(ctx.Get<int>("$spawn.g.result") + 1),
                },
            ],
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["double"] = grandchild } });
        var flow = ParentSpawning(new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["child"] = child } }, ("child", 10, "c"));

        var ctx = await flow.RunAsync();

        Assert.Equal(21, ctx.Output()?["c"]?["result"]?.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_ChildThatEscalates_FailsTheChildNotTheParent()
    {
        var asking = new StateFlow(
        [
            new State("Ask")
            {
                OnState = async ctx =>
                {
                    ctx.Escalate("bob", "ok?", [EscalationInput.Approve("ok", "OK")]);
                    return ctx;
                },
            },
        ]);
        var flow = ParentSpawning(new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["asking"] = asking } }, ("asking", null, "a"));

        var ctx = await flow.RunAsync();

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Equal("error", ctx.Output()?["a"]?["status"]?.GetValue<string>());
        Assert.Contains("escalation", ctx.Output()?["a"]?["error"]?.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_UnregisteredChildFlow_FailsClearly()
    {
        var flow = ParentSpawning(new StateFlowOptions(), ("missing-flow", null, "m"));

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync());

        Assert.Contains("'missing-flow'", ex.Message);
        Assert.Contains("not registered", ex.Message);
        Assert.Equal(("Parent", 1), (ex.State, ex.Step));
    }

    [Fact]
    public async Task RunAsync_Escalation_ThrowsAClearStateFlowException()
    {
        var flow = new StateFlow(
        [
            new State("Ask")
            {
                OnState = async ctx =>
                {
                    ctx.Escalate("alice", "Approve?", [EscalationInput.Approve("ok", "OK")]);
                    return ctx;
                },
            },
        ]);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync());

        Assert.Equal(("Ask", 1), (ex.State, ex.Step));
        Assert.Contains("escalation", ex.Message);
        Assert.Contains("alice", ex.Message);
        Assert.Contains("scheduler", ex.Message);
    }

    [Fact]
    public async Task RunAsync_ExternalWait_ThrowsAClearStateFlowException()
    {
        var flow = new StateFlow([new State("Hook") { OnState = async ctx => ctx.WaitFor(new WaitFor("payment-received", "webhook")) }]);

        var ex = await Assert.ThrowsAsync<StateFlowException>(() => flow.RunAsync());

        Assert.Equal("Hook", ex.State);
        Assert.Contains("'webhook'", ex.Message);
        Assert.Contains("'payment-received'", ex.Message);
        Assert.Contains("scheduler", ex.Message);
    }

    [Fact]
    public async Task ResumeAsync_NeverChangesThePassedContext()
    {
        var flow = ParentSpawning(
            new StateFlowOptions { Flows = new Dictionary<string, StateFlow> { ["double"] = DoubleChild() } },
            ("double", 3, "d"));
        var blocked = await flow.StepAsync(flow.NewContext());
        var before = blocked.Serialize();

        var ctx = await flow.ResumeAsync(blocked);

        Assert.Equal(before, blocked.Serialize());
        Assert.Equal(DoneReason.Finished, ctx.Done);
    }
}
