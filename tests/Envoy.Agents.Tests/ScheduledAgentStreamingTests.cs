using System.Collections.Concurrent;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ScheduledAgentStreamingTests
{
    [Fact]
    public async Task ScheduledAgent_StreamingProvider_ReportsTheAnswerAsItIsWritten_AndTheFinalAnswerIsTheFullText()
    {
        string[] pieces = ["The answer ", "to everything ", "is ", "forty-two."];
        var seen = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        TaskCompletionSource Seen(string text) => seen.GetOrAdd(text, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Stream(pieces) with
        {
            // Piece j (chunk j + 1) is written only once the answer up to piece j - 1 was seen as a progress event.
            BeforeChunk = async (index, aborted) =>
            {
                if (index >= 2 && index <= pieces.Length)
                {
                    await Seen(string.Concat(pieces[..(index - 1)])).Task.WaitAsync(TestSupport.Patience, aborted);
                }
            },
        });
        var agent = new ToolAgent(TestSupport.Provider(server));
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = ":memory:" }, Concurrency = 2 });
        scheduler.AddFlow("writer", agent);
        var progress = new ConcurrentQueue<JobProgressEvent>();
        var finished = new TaskCompletionSource<JobFinishedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = scheduler.Events.Subscribe(new Observer(e =>
        {
            if (e is JobProgressEvent p)
            {
                progress.Enqueue(p);
                Seen(p.Progress!["text"]!.GetValue<string>()).TrySetResult();
            }
            else if (e is JobFinishedEvent f)
            {
                finished.TrySetResult(f);
            }
        }));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync("writer", "What is the answer?");
        var end = await finished.Task.WaitAsync(TestSupport.Patience);
        var job = await scheduler.WaitForJobAsync(id, TestSupport.Patience);

        Assert.Equal(JobStatus.Done, end.Status);
        Assert.Equal(string.Concat(pieces), job.Context.Output<string>());
        Assert.True(server.Requests[0].Stream);
        var texts = progress.Where(p => p.JobId == id).Select(p => p.Progress!["text"]!.GetValue<string>()).ToList();
        Assert.True(texts.Count >= pieces.Length, $"{texts.Count} progress events for {pieces.Length} pieces");
        for (var j = 1; j <= pieces.Length; j++)
        {
            Assert.Contains(string.Concat(pieces[..j]), texts);
        }

        Assert.Equal(string.Concat(pieces), texts[^1]);
        var last = progress.Last(p => p.JobId == id).Progress!;
        Assert.Equal(("answer", 0, string.Concat(pieces).Length), (last["kind"]!.GetValue<string>(), last["offset"]!.GetValue<int>(), last["length"]!.GetValue<int>()));
        Assert.All(progress, p => Assert.Equal((AgentKeys.PlanState, "writer"), (p.State, p.Flow)));
    }

    [Fact]
    public async Task InProcessRun_DoesNotStream()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Stream("Plain ", "answer."));
        var agent = new ToolAgent(TestSupport.Provider(server));

        var result = await agent.RunAsync("Say it.");

        Assert.Equal("Plain answer.", result.Output<string>());
        Assert.False(server.Requests[0].Stream);
    }

    [Fact]
    public void AnswerProgress_OfALongAnswer_CarriesItsLastPart_WithinTheLimit()
    {
        var answer = new System.Text.StringBuilder().Append('a', 5000).Append("é\"<", 0, 3).Append('z', 2000);

        var progress = ToolAgent.AnswerProgress(answer);

        var text = progress["text"]!.GetValue<string>();
        var offset = progress["offset"]!.GetValue<int>();
        Assert.Equal(answer.ToString()[offset..], text);
        Assert.True(offset > 0);
        Assert.Equal(answer.Length, progress["length"]!.GetValue<int>());
        Assert.True(progress.ToJsonString().Length <= 4096, progress.ToJsonString().Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class Observer(Action<SchedulerEvent> next) : IObserver<SchedulerEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SchedulerEvent value) => next(value);
    }
}
