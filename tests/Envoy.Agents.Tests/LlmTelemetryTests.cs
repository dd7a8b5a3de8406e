using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

/// <summary>LLM calls as spans with the OpenTelemetry GenAI attributes, and their tokens on <c>envoy.llm.tokens</c>.</summary>
public sealed class LlmTelemetryTests
{
    [Fact]
    public async Task GenerateAsync_IsAChatSpan_WithTheGenAiAttributes_AndCountsItsTokens()
    {
        var spans = new ConcurrentBag<Activity>();
        var tokens = new ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EnvoyTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EnvoyTelemetry.MeterName && instrument.Name == "envoy.llm.tokens")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            tokens.Enqueue((value, copy));
        });
        meters.Start();
        var model = "model-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("Hello there.") with { InputTokens = 12, OutputTokens = 3 });
        var provider = TestSupport.Provider(server, new LlmConfig { Model = model });

        await provider.GenerateAsync([LlmMessage.User("Hi")]);

        var span = Assert.Single(spans, s => s.DisplayName == "chat " + model);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(model, span.GetTagItem("gen_ai.request.model"));
        Assert.NotNull(span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(12, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3, span.GetTagItem("gen_ai.usage.output_tokens"));
        var mine = tokens.Where(t => Equals(t.Tags["gen_ai.request.model"], model)).ToList();
        Assert.Equal(12, mine.Where(t => Equals(t.Tags["gen_ai.token.type"], "input")).Sum(t => t.Value));
        Assert.Equal(3, mine.Where(t => Equals(t.Tags["gen_ai.token.type"], "output")).Sum(t => t.Value));
    }

    [Fact]
    public async Task GenerateStreamingAsync_IsOneChatSpan_WithTheUsageOfTheLastChunk_AndCountsItsTokens()
    {
        using var capture = new TelemetryCapture();
        var model = "model-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Stream("Hel", "lo ", "there.") with { InputTokens = 21, OutputTokens = 4 });
        var provider = TestSupport.Provider(server, new LlmConfig { Model = model });

        var text = new System.Text.StringBuilder();
        await foreach (var update in provider.GenerateStreamingAsync([LlmMessage.User("Hi")]))
        {
            text.Append(update.Text);
        }

        Assert.Equal("Hello there.", text.ToString());
        Assert.True(server.Requests[0].Stream);
        // The client asked for the usage chunk (stream_options.include_usage), which the fake server sends last.
        Assert.Equal(true, server.Requests[0].Body["stream_options"]?["include_usage"]?.GetValue<bool>());
        var span = Assert.Single(capture.Spans, s => s.DisplayName == "chat " + model);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(model, span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(model, span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(21, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(4, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(["stop"], Assert.IsType<string[]>(span.GetTagItem("gen_ai.response.finish_reasons")));
        Assert.Equal((21, 4), capture.TokensOf(model));
    }

    [Fact]
    public async Task GenerateStreamingAsync_FailingBeforeTheFirstPiece_IsAFailedChatSpan_WithNoTokens()
    {
        using var capture = new TelemetryCapture();
        var model = "model-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "bad", "Bad request."));
        var provider = TestSupport.Provider(server, new LlmConfig { Model = model });

        await Assert.ThrowsAsync<LlmException>(async () =>
        {
            await foreach (var _ in provider.GenerateStreamingAsync([LlmMessage.User("Hi")]))
            {
            }
        });

        var span = Assert.Single(capture.Spans, s => s.DisplayName == "chat " + model);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(LlmException).FullName, span.GetTagItem("error.type"));
        Assert.Null(span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal((0, 0), capture.TokensOf(model));
    }

    [Fact]
    public async Task ScheduledAgent_StreamedPlanCall_IsAChatSpanUnderTheStepSpan_WithItsTokens()
    {
        using var capture = new TelemetryCapture();
        var model = "model-" + Guid.NewGuid().ToString("N")[..8];
        var flow = "writer-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Stream("The answer ", "is 42.") with { InputTokens = 30, OutputTokens = 5 });
        var agent = new ToolAgent(TestSupport.Provider(server, new LlmConfig { Model = model }));
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = ":memory:" }, Concurrency = 2 });
        scheduler.AddFlow(flow, agent);
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow, "What is the answer?");
        var job = await scheduler.WaitForJobAsync(id, TestSupport.Patience);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("The answer is 42.", job.Context.Output<string>());
        Assert.True(Assert.Single(server.Requests).Stream); // the streamed call, not a plain one
        var chat = Assert.Single(capture.Spans, s => s.DisplayName == "chat " + model);
        var plan = Assert.Single(capture.Spans, s => Equals(s.GetTagItem(EnvoyTelemetry.FlowTag), flow) && Equals(s.GetTagItem(EnvoyTelemetry.StateTag), AgentKeys.PlanState));
        Assert.Equal((plan.TraceId, plan.SpanId), (chat.TraceId, chat.ParentSpanId));
        Assert.Equal(30, chat.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(5, chat.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal((30, 5), capture.TokensOf(model));
    }

    /// <summary>Records the <c>Envoy</c> spans that end and the <c>envoy.llm.tokens</c> measurements while it lives.</summary>
    private sealed class TelemetryCapture : IDisposable
    {
        private readonly ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)> _tokens = new();
        private readonly ActivityListener _spans;
        private readonly MeterListener _meters;

        public TelemetryCapture()
        {
            _spans = new ActivityListener
            {
                ShouldListenTo = s => s.Name == EnvoyTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Spans.Add,
            };
            ActivitySource.AddActivityListener(_spans);
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == EnvoyTelemetry.MeterName && instrument.Name == "envoy.llm.tokens")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    copy[tag.Key] = tag.Value;
                }

                _tokens.Enqueue((value, copy));
            });
            _meters.Start();
        }

        public ConcurrentBag<Activity> Spans { get; } = [];

        /// <summary>The input and output tokens counted for <paramref name="model"/>.</summary>
        public (long Input, long Output) TokensOf(string model)
        {
            var mine = _tokens.Where(t => Equals(t.Tags["gen_ai.request.model"], model)).ToList();
            return (mine.Where(t => Equals(t.Tags["gen_ai.token.type"], "input")).Sum(t => t.Value), mine.Where(t => Equals(t.Tags["gen_ai.token.type"], "output")).Sum(t => t.Value));
        }

        public void Dispose()
        {
            _meters.Dispose();
            _spans.Dispose();
        }
    }
}
