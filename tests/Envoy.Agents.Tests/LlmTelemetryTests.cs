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
}
