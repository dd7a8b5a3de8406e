using System.Diagnostics;
using Envoy.Runtime.Tests.Scheduling;

namespace Envoy.Runtime.Tests.Telemetry;

/// <summary>The step spans and the metrics of the runtime, read through a listener as an OpenTelemetry SDK reads them.</summary>
public sealed class StepTelemetryTests : SchedulerTestBase
{
    private static StateFlow Chain() => new(
    [
        new State("A") { OnState = async ctx => ctx.Output(1), Router = Router.Next("B") },
        new State("B") { OnState = async ctx => ctx.Output(2), Router = Router.Next("C") },
        new State("C") { OnState = async ctx => ctx.Output(3), Router = Router.End },
    ]);

    [Fact]
    public async Task StepSpans_CarryFlowStateStepJobAndOutcome_AndLinkToTheSchedulingSpan()
    {
        using var capture = new TelemetryCapture();
        var flow = "chain-" + Guid.NewGuid().ToString("N")[..8];
        var scheduler = await StartSchedulerAsync(s => s.AddFlow(flow, Chain()), c => c.EagerStart = false);

        string id;
        ActivityContext request;
        using (var activity = TelemetryCapture.TestSource.StartActivity("request"))
        {
            Assert.NotNull(activity);
            request = activity.Context;
            id = await scheduler.ScheduleAsync(flow);
        }

        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        var spans = capture.StepSpans(flow);
        Assert.Equal(["A", "B", "C"], spans.Select(s => s.GetTagItem(EnvoyTelemetry.StateTag)));
        Assert.Equal([1, 2, 3], spans.Select(s => Convert.ToInt32(s.GetTagItem(EnvoyTelemetry.StepTag), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["next", "next", "done"], spans.Select(s => s.GetTagItem(EnvoyTelemetry.OutcomeTag)));
        Assert.All(spans, s =>
        {
            Assert.Equal("envoy.step " + flow + "." + s.GetTagItem(EnvoyTelemetry.StateTag), s.DisplayName);
            Assert.Equal(id, s.GetTagItem(EnvoyTelemetry.JobIdTag));
            Assert.Equal(ActivityStatusCode.Unset, s.Status);
            var link = Assert.Single(s.Links);
            Assert.Equal(request.TraceId, link.Context.TraceId);
            Assert.Equal(request.SpanId, link.Context.SpanId);
            // A trace of its own per step (the link joins it to the request), whatever span was current when it ran.
            Assert.NotEqual(request.TraceId, s.TraceId);
        });
    }

    [Fact]
    public async Task StepSpans_OfAFailingStep_AreErrors_RetryThenFailed_AndCountedAsFailures()
    {
        using var capture = new TelemetryCapture();
        var flow = "broken-" + Guid.NewGuid().ToString("N")[..8];
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow(flow, new StateFlow([new State("Break") { OnState = ctx => throw new InvalidOperationException("always broken") }])),
            c => c.MaxRetries = 1);

        var id = await scheduler.ScheduleAsync(flow);

        Assert.Equal(JobStatus.Failed, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        var spans = capture.StepSpans(flow);
        Assert.Equal(["retry", "failed"], spans.Select(s => s.GetTagItem(EnvoyTelemetry.OutcomeTag)));
        Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
        Assert.All(spans, s => Assert.Equal("always broken", s.StatusDescription));
        // No span was current when it was scheduled: nothing stored, no link.
        Assert.All(spans, s => Assert.Empty(s.Links));
        Assert.Null((await scheduler.Store.GetJobAsync(id))!.TraceParent);
        var failed = capture.Of("envoy.steps.failed", EnvoyTelemetry.FlowTag, flow);
        Assert.Equal(["retry", "failed"], failed.Select(m => m.Tags[EnvoyTelemetry.OutcomeTag]).Order().Reverse());
        Assert.Empty(capture.Of("envoy.steps.completed", EnvoyTelemetry.FlowTag, flow));
    }

    [Fact]
    public async Task SpawnedChildren_StepSpans_LinkToTheParentsStepSpan()
    {
        using var capture = new TelemetryCapture();
        var parentFlow = "parent-" + Guid.NewGuid().ToString("N")[..8];
        var childFlow = "child-" + Guid.NewGuid().ToString("N")[..8];
        var scheduler = await StartSchedulerAsync(s => s
            .AddFlow(childFlow, new StateFlow([new State("Work") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 2) }]))
            .AddFlow(parentFlow, new StateFlow(
            [
                new State("Fan") { OnState = async ctx => { ctx.Spawn(childFlow, 1, "one"); ctx.Spawn(childFlow, 2, "two"); return ctx; } },
            ])));

        var id = await scheduler.ScheduleAsync(parentFlow);

        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        var parentSpans = capture.StepSpans(parentFlow);
        Assert.Equal(["blocked", "done"], parentSpans.Select(s => s.GetTagItem(EnvoyTelemetry.OutcomeTag)));
        var spawning = parentSpans[0];
        var childSpans = capture.StepSpans(childFlow);
        Assert.Equal(2, childSpans.Count);
        Assert.All(childSpans, s =>
        {
            var link = Assert.Single(s.Links);
            Assert.Equal(spawning.TraceId, link.Context.TraceId);
            Assert.Equal(spawning.SpanId, link.Context.SpanId);
        });
    }

    [Fact]
    public async Task Metrics_AfterAKnownWorkload_CountEveryStep_AndReportTheJobs()
    {
        using var capture = new TelemetryCapture();
        var flow = "chain-" + Guid.NewGuid().ToString("N")[..8];
        var scheduler = await StartSchedulerAsync(s => s.AddFlow(flow, Chain()));
        const int Jobs = 5;

        var ids = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(_ => scheduler.ScheduleAsync(flow)));
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        }

        Assert.Equal(Jobs * 3, capture.Of("envoy.steps.started", EnvoyTelemetry.FlowTag, flow).Sum(m => m.Value));
        var completed = capture.Of("envoy.steps.completed", EnvoyTelemetry.FlowTag, flow);
        Assert.Equal(Jobs * 2, completed.Where(m => Equals(m.Tags[EnvoyTelemetry.OutcomeTag], "next")).Sum(m => m.Value));
        Assert.Equal(Jobs, completed.Where(m => Equals(m.Tags[EnvoyTelemetry.OutcomeTag], "done")).Sum(m => m.Value));
        Assert.Empty(capture.Of("envoy.steps.failed", EnvoyTelemetry.FlowTag, flow));
        var durations = capture.Of("envoy.step.duration", EnvoyTelemetry.FlowTag, flow);
        Assert.Equal(Jobs * 3, durations.Count);
        Assert.All(durations, d => Assert.True(d.Value >= 0));
        Assert.Contains(capture.Measurements, m => m.Instrument == "envoy.commit.duration" && m.Value > 0);
        Assert.Contains(capture.Measurements, m => m.Instrument == "envoy.claim.duration" && m.Value > 0);

        // The gauges come from the store's counts, read in the background and served from the last read.
        var store = scheduler.Store.Description;
        await capture.UntilAsync(
            () => capture.Of("envoy.jobs", "envoy.store", store).Any(m => Equals(m.Tags[EnvoyTelemetry.StatusTag], "done") && m.Value == Jobs),
            "envoy.jobs reports the 5 done jobs",
            Timeout);
        Assert.Contains(capture.Of("envoy.queue.depth", "envoy.store", store), m => m.Value == 0);
        Assert.Contains(capture.Of("envoy.queue.oldest_pending_age", "envoy.store", store), m => m.Value == 0);
    }

    [Fact]
    public async Task TraceContext_IsStoredOnlyWhenASpanIsCurrent()
    {
        var flow = "idle-" + Guid.NewGuid().ToString("N")[..8];
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow(flow, Chain());
        using var capture = new TelemetryCapture();

        var untraced = await scheduler.ScheduleAsync(flow);
        string traced;
        string expected;
        using (var activity = TelemetryCapture.TestSource.StartActivity("request"))
        {
            activity!.TraceStateString = "vendor=1";
            expected = activity.Id + "\nvendor=1";
            traced = await scheduler.ScheduleAsync(flow);
        }

        Assert.Null((await scheduler.Store.GetJobAsync(untraced))!.TraceParent);
        Assert.Equal(expected, (await scheduler.Store.GetJobAsync(traced))!.TraceParent);
    }
}
