using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Events;

/// <summary><c>GET /envoy/api/events</c> on every store: kinds, data, ids, the jobId filter, replay, keep-alive, auth, other processes.</summary>
public abstract class EventStreamTests(EventsStore store) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private EventsHost? _host;
    private HttpClient? _viewer;

    private EventsHost Host => _host!;

    private HttpClient Viewer => _viewer!;

    public async Task InitializeAsync()
    {
        _host = await EventsHost.StartAsync(store, o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(300));
        _viewer = _host.Client(ApiKeys.Viewer);
    }

    public async Task DisposeAsync()
    {
        _viewer?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_scheduled_job_streams_its_events_with_kinds_data_and_increasing_ids()
    {
        await using var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events");
        Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);

        var id = await Host.Scheduler.ScheduleAsync("hello");
        var events = (await sse.ReadUntilAsync(e => IsEnd(e, id), Timeout)).Where(e => JobOf(e) == id).ToList();

        Assert.Equal(
            ["stepStarted Start", "stepCompleted Start running", "stepStarted Middle", "stepCompleted Middle running", "stepStarted End", "stepCompleted End done", "jobFinished done"],
            events.Select(Describe));
        Assert.All(events, e => Assert.Equal("hello", Data(e)["flow"]!.GetValue<string>()));
        Assert.Equal(events.Select(e => e.IdNumber()).Order(), events.Select(e => e.IdNumber()));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        var completed = Data(events[1]);
        Assert.Equal(1, completed["step"]!.GetValue<int>());
        Assert.True(completed["durationMs"]!.GetValue<double>() >= 0);
        Assert.EndsWith("Z", completed["at"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_escalation_streams_as_escalationCreated_with_the_escalation()
    {
        await using var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events");

        var id = await Host.Scheduler.ScheduleAsync("approval", new { user = "alice", amount = 30 });
        var created = (await sse.ReadUntilAsync(e => e.Event == "escalationCreated" && JobOf(e) == id, Timeout))[^1];

        var escalation = Data(created)["escalation"]!;
        Assert.Equal(("alice", "Approve 30?", "pending", id), (escalation["user"]!.GetValue<string>(), escalation["message"]!.GetValue<string>(), escalation["status"]!.GetValue<string>(), escalation["jobId"]!.GetValue<string>()));
        Assert.Equal(["decision approve", "note comment"], escalation["inputs"]!.AsArray().Select(i => i!["id"]!.GetValue<string>() + " " + i["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_jobId_filter_sends_only_that_jobs_events()
    {
        // A job that waits for a signal: the filtered client connects while it waits, another job runs and ends, then the
        // signal ends the first one. (A job that merely ran for a few seconds could end, on a loaded machine, before the
        // filtered client connected, and its end would never come.)
        var id = await Host.Scheduler.ScheduleAsync("wait");
        await using var all = await SseClient.OpenAsync(Viewer, "envoy/api/events");
        await using var sse = await SseClient.OpenAsync(Viewer, $"envoy/api/events?jobId={id}");
        var other = await Host.Scheduler.ScheduleAsync("hello");
        await all.ReadUntilAsync(e => IsEnd(e, other), Timeout); // the other job's events were there to filter out
        await ResolveWhenBlockingAsync(id, "signal", "go");

        var events = await sse.ReadUntilAsync(e => IsEnd(e, id), Timeout);

        Assert.All(events, e => Assert.Equal(id, JobOf(e)));
        Assert.Contains(events, e => e.Event == "stepCompleted");
    }

    [Fact]
    public async Task A_client_reconnecting_with_Last_Event_ID_gets_what_it_missed_then_live_events()
    {
        await using var witness = await SseClient.OpenAsync(Viewer, "envoy/api/events");
        string resumeFrom;
        string first;
        await using (var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events"))
        {
            first = await Host.Scheduler.ScheduleAsync("hello");
            var seen = await sse.ReadUntilAsync(e => JobOf(e) == first, Timeout);
            resumeFrom = seen[^1].Id!; // the first job's first event: everything after it was missed
        }

        var missed = await Host.Scheduler.ScheduleAsync("hello");
        // Both jobs have ended (on a loaded machine the first may still run when the second ends): all their events are in
        // the replay buffer by now, and none of them can come live after the reconnect.
        var ended = 0;
        await witness.ReadUntilAsync(e => (IsEnd(e, first) || IsEnd(e, missed)) && ++ended == 2, Timeout);

        await using var again = await SseClient.OpenAsync(Viewer, "envoy/api/events", lastEventId: resumeFrom);
        var replayedEnds = 0;
        var replayed = await again.ReadUntilAsync(e => (IsEnd(e, first) || IsEnd(e, missed)) && ++replayedEnds == 2, Timeout);
        var live = await Host.Scheduler.ScheduleAsync("hello");
        var after = await again.ReadUntilAsync(e => IsEnd(e, live), Timeout);

        Assert.Equal(6, replayed.Count(e => JobOf(e) == first)); // all but the one seen
        Assert.Equal(7, replayed.Count(e => JobOf(e) == missed));
        Assert.Equal(7, after.Count(e => JobOf(e) == live));
        var ids = replayed.Concat(after).Select(e => e.IdNumber()).ToList();
        Assert.All(ids, i => Assert.True(i > long.Parse(resumeFrom, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task An_idle_stream_sends_keep_alive_comments()
    {
        await using var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events?jobId=nothing-happens-to-me");

        var first = await sse.NextAsync(Timeout);
        var second = await sse.NextAsync(Timeout);

        Assert.True(first is { IsComment: true } && second is { IsComment: true }, $"{first} {second}");
    }

    [Fact]
    public async Task Without_a_key_it_is_401_and_a_viewer_may_read_it()
    {
        using var anonymous = Host.Client();
        using var response = await anonymous.GetAsync("envoy/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");

        await using var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events");
        Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
    }

    [Fact]
    public async Task Events_of_a_job_run_by_another_scheduler_on_the_store_reach_the_stream()
    {
        var config = new SchedulerConfig { Concurrency = 2 };
        Host.Store(config);
        await using var other = await Scheduler.InitAsync(config);
        var flow = "remote-" + Guid.NewGuid().ToString("N")[..8]; // only the other scheduler runs it
        other.AddFlow(flow, new StateFlow([new State("Only") { OnState = async ctx => ctx.Output("remote") }]));
        await other.StartAsync();
        await using var sse = await SseClient.OpenAsync(Viewer, "envoy/api/events");

        // The stream listens from its first client; the other scheduler learns of it within about two seconds.
        string id;
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (true)
        {
            id = await other.ScheduleAsync(flow);
            try
            {
                await sse.ReadUntilAsync(e => IsEnd(e, id), TimeSpan.FromSeconds(1));
                break;
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
            }
        }

        var job = await other.ScheduleAsync(flow);
        var events = (await sse.ReadUntilAsync(e => IsEnd(e, job), Timeout)).Where(e => JobOf(e) == job).ToList();

        Assert.Equal(["stepStarted Only", "stepCompleted Only done", "jobFinished done"], events.Select(Describe));
        Assert.All(events, e => Assert.Equal(flow, Data(e)["flow"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Progress_streams_as_progress_events_on_the_jobs_stream_before_the_step_completes()
    {
        var flow = "report-" + Guid.NewGuid().ToString("N")[..8];
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Host.Scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Work")
            {
                OnState = async ctx =>
                {
#pragma warning disable VSTHRD003 // The test's own gate: report once the client is connected.
                    await go.Task.WaitAsync(Timeout);
#pragma warning restore VSTHRD003
                    ctx.Report(new { percent = 50, note = "half" });
                    ctx.Report(new { percent = 100, note = "all" });
                    return ctx.Output("ok");
                },
            },
        ]));
        var id = await Host.Scheduler.ScheduleAsync(flow);
        await using var sse = await SseClient.OpenAsync(Viewer, $"envoy/api/events?jobId={id}");
        go.SetResult();

        var events = await sse.ReadUntilAsync(e => IsEnd(e, id), Timeout);

        var progress = events.Where(e => e.Event == "progress").ToList();
        Assert.NotEmpty(progress);
        var last = Data(progress[^1]);
        Assert.Equal((id, flow, "Work", 1, 2L), (last["jobId"]!.GetValue<string>(), last["flow"]!.GetValue<string>(), last["state"]!.GetValue<string>(), last["step"]!.GetValue<int>(), last["sequence"]!.GetValue<long>()));
        Assert.Equal((100, "all"), (last["progress"]!["percent"]!.GetValue<int>(), last["progress"]!["note"]!.GetValue<string>()));
        Assert.True(events.IndexOf(progress[^1]) < events.FindIndex(e => e.Event == "stepCompleted"));
        Assert.All(progress, e => Assert.False(string.IsNullOrEmpty(e.Id)));
    }

    private static JsonNode Data(SseMessage e) => JsonNode.Parse(e.Data)!;

    /// <summary>Resolves the job's wait once the job is blocking on it (it may still be starting on a loaded machine).</summary>
    private async Task ResolveWhenBlockingAsync(string jobId, string waitId, string value)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while ((await Host.Scheduler.GetJobAsync(jobId))?.Status != JobStatus.Blocking)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Job {jobId} did not block on '{waitId}' within {Timeout}.");
            await Task.Delay(20);
        }

        await Host.Scheduler.ResolveBlockingJobAsync(jobId, waitId, value);
    }

    private static string? JobOf(SseMessage e) => Data(e)["jobId"]?.GetValue<string>();

    private static bool IsEnd(SseMessage e, string jobId) => e.Event == "jobFinished" && JobOf(e) == jobId;

    private static string Describe(SseMessage e)
    {
        var data = Data(e);
        return e.Event switch
        {
            "stepStarted" => $"stepStarted {data["state"]}",
            "stepCompleted" => $"stepCompleted {data["state"]} {data["status"]}",
            "jobFinished" => $"jobFinished {data["status"]}",
            _ => e.Event!,
        };
    }
}

public sealed class SqliteEventStreamTests() : EventStreamTests(EventsStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresEventStreamTests(PostgresFixture postgres) : EventStreamTests(EventsStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisEventStreamTests(PostgresFixture postgres, RedisFixture redis) : EventStreamTests(EventsStore.PostgresRedis(postgres, redis));
