using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Envoy.Runtime.Tests.Telemetry;

/// <summary>
/// Listens to Envoy's <see cref="ActivitySource"/> and <see cref="Meter"/> (as an OpenTelemetry SDK would) and keeps every
/// stopped span and every measurement. Other tests run at the same time: filter by the test's own flow names.
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public TelemetryCapture()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EnvoyTelemetry.SourceName || source.Name == TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Spans.Add,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EnvoyTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
    }

    private const string TestSourceName = "Envoy.Runtime.Tests";

    /// <summary>A source of the tests' own spans (the "request" that schedules a job).</summary>
    public static ActivitySource TestSource { get; } = new(TestSourceName);

    public ConcurrentBag<Activity> Spans { get; } = [];

    public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> Measurements { get; } = new();

    /// <summary>The stopped step spans of a flow, in start order.</summary>
    public List<Activity> StepSpans(string flow) =>
        [.. Spans.Where(s => s.Source.Name == EnvoyTelemetry.SourceName && Equals(s.GetTagItem(EnvoyTelemetry.FlowTag), flow)).OrderBy(s => s.StartTimeUtc)];

    /// <summary>The measurements of an instrument whose tags hold <paramref name="tag"/> = <paramref name="value"/>.</summary>
    public List<(double Value, Dictionary<string, object?> Tags)> Of(string instrument, string tag, object value) =>
        [.. Measurements.Where(m => m.Instrument == instrument && m.Tags.TryGetValue(tag, out var v) && Equals(v, value)).Select(m => (m.Value, m.Tags))];

    /// <summary>Collects the observable gauges now.</summary>
    public void Collect() => _meters.RecordObservableInstruments();

    /// <summary>Waits until <paramref name="condition"/> holds (collecting the gauges each time), failing after the timeout.</summary>
    public async Task UntilAsync(Func<bool> condition, string because, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                Assert.Fail("Timed out waiting until " + because + ".");
            }

            Collect();
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        }
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue((instrument.Name, value, copy));
    }
}
