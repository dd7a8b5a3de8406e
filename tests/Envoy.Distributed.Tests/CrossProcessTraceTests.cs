using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Issue 18, telemetry across OS processes on PostgreSQL: this test process schedules a parent job inside a span of its own;
/// worker process A runs the parent's steps and spawns its children; worker process B runs the children. Each worker prints
/// its step spans as JSON lines (tests/Envoy.PgWorker, <c>SpanPrinter</c>): the parent's steps link to the scheduling span, the
/// children's steps to the parent's step span in the other process, through the trace context stored with each job.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class CrossProcessTraceTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Parent = "trace-parent";
    private const string Child = "trace-child";
    private const string Hold = "trace-hold";
    private const int Children = 3;

    [Fact]
    public async Task ParentInOneProcess_ChildrenInAnother_ChildStepSpansLinkToTheParentsStepSpan()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        // B runs only children; A has the parent (and the child flow, to spawn it) and one worker slot, which the trace-hold job
        // it schedules during the parent's step takes once that step commits: so A never claims a child.
        var b = await cluster.StartWorkerAsync(ct, "--flow", Child, "--concurrency", "4", "--poll-ms", "200");
        var a = await cluster.StartWorkerAsync(ct, "--flow", Parent, "--concurrency", "1", "--poll-ms", "200");

        using var requests = new ActivitySource("Envoy.Distributed.Tests");
        var local = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Envoy.Distributed.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = local.Add,
        };
        ActivitySource.AddActivityListener(listener);
        // The app's API process: it only schedules (never started).
        await using var api = await Scheduler.InitAsync(new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = cluster.ConnectionString } }, ct);
        api.AddFlow(Parent, new StateFlow([new State("Fan") { OnState = async ctx => ctx, Router = Router.End }]), new FlowOptions { Version = "1" });
        string id;
        ActivityContext request;
        using (var activity = requests.StartActivity("POST /orders"))
        {
            request = activity!.Context;
            id = await api.ScheduleAsync(Parent, Children, cancellationToken: ct);
        }

        cluster.Log($"parent {id} scheduled in trace {request.TraceId}; A = {a.Id}, B = {b.Id}");
        var children = await Ledger.PollAsync(
            c => api.ListJobsAsync(new JobQuery { Flow = Child, Limit = 100 }, c),
            jobs => jobs.Count == Children && jobs.All(j => j.Status == JobStatus.Done),
            ct);
        cluster.Log($"{Children} children done");
        await a.SendAsync("release");
        var parent = await Ledger.PollAsync(c => api.GetJobAsync(id, c), j => j.Status.IsTerminal(), ct);
        Assert.True(parent.Status == JobStatus.Done, parent.Error);
        Assert.Equal(Enumerable.Range(1, Children).Sum(i => i * 10), parent.Context.Output<int>());
        cluster.Log("parent done");

        // A span is printed when it ends, after its step's commit: wait for the last ones.
        var inA = await Ledger.PollAsync(_ => Task.FromResult(SpansOf(a)), s => s.Count(x => x.Flow == Parent) == 2 && s.Any(x => x.Flow == Hold), ct);
        var inB = await Ledger.PollAsync(_ => Task.FromResult(SpansOf(b)), s => s.Count(x => x.Flow == Child) == Children, ct);
        foreach (var span in inA.Concat(inB))
        {
            cluster.Log($"pid {span.Pid}: {span.Name} {span.Outcome} trace {span.TraceId} span {span.SpanId} links [{string.Join(", ", span.Links)}]");
        }

        // The parent's steps ran in A (blocked on its children, then done), each linked to the scheduling span here.
        var parentSteps = inA.Where(s => s.Flow == Parent).ToList();
        Assert.Equal(["blocked", "done"], parentSteps.Select(s => s.Outcome));
        Assert.All(parentSteps, s => Assert.Equal($"{request.TraceId.ToHexString()}/{request.SpanId.ToHexString()}", Assert.Single(s.Links)));
        Assert.All(parentSteps, s => Assert.Equal(a.Id, s.Pid));
        Assert.Contains(local, s => s.Context == request); // the scheduling span was recorded (and stopped) in this process

        // The children ran in B only, each step linked to the parent's first step span in A: another process, the same trace.
        var fan = parentSteps[0];
        Assert.DoesNotContain(inA, s => s.Flow == Child);
        var childSteps = inB.Where(s => s.Flow == Child).ToList();
        Assert.Equal(children.Select(j => j.Id).Order(), childSteps.Select(s => s.JobId).Order());
        Assert.All(children, j => Assert.Equal(id, j.ParentId));
        Assert.All(childSteps, s =>
        {
            Assert.Equal(b.Id, s.Pid);
            Assert.Equal("done", s.Outcome);
            Assert.Equal($"{fan.TraceId}/{fan.SpanId}", Assert.Single(s.Links));
        });
        Assert.NotEqual(a.Id, b.Id);

        // The job the parent's step scheduled from inside it links to that step too.
        Assert.Equal($"{fan.TraceId}/{fan.SpanId}", Assert.Single(Assert.Single(inA, s => s.Flow == Hold).Links));
    }

    /// <summary>The step spans a worker printed so far (lines <c>SPAN {json}</c>).</summary>
    private static List<PrintedSpan> SpansOf(DotnetWorkerProcess worker) =>
        [.. worker.Output.Split('\n').Where(l => l.StartsWith("SPAN ", StringComparison.Ordinal)).Select(l => PrintedSpan.Parse(l["SPAN ".Length..]))];

    private sealed record PrintedSpan(string Name, string TraceId, string SpanId, IReadOnlyList<string> Links, string? Flow, string? JobId, string? Outcome, int Pid)
    {
        public static PrintedSpan Parse(string json)
        {
            var span = JsonNode.Parse(json)!.AsObject();
            var tags = span["tags"]!.AsObject();
            string? Tag(string name) => tags[name]?.GetValue<string>();
            return new PrintedSpan(
                span["name"]!.GetValue<string>(),
                span["traceId"]!.GetValue<string>(),
                span["spanId"]!.GetValue<string>(),
                [.. span["links"]!.AsArray().Select(l => $"{l!["traceId"]!.GetValue<string>()}/{l["spanId"]!.GetValue<string>()}")],
                Tag(EnvoyTelemetry.FlowTag),
                Tag(EnvoyTelemetry.JobIdTag),
                Tag(EnvoyTelemetry.OutcomeTag),
                span["pid"]!.GetValue<int>());
        }
    }
}
