using System.Text;
using System.Text.Json.Nodes;
using Envoy.Runtime.Execution.Events;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>The wire format of the store-wide event feed: what one process sends, another reads back unchanged.</summary>
public sealed class EventWireTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 6, 7, 30, 1, 234, TimeSpan.Zero).AddTicks(5678);

    [Fact]
    public void Encode_EveryKind_DecodesToEqualEvents()
    {
        var escalation = NewEscalation("job-4", new string('m', 40));
        SchedulerEvent[] events =
        [
            new StepStartedEvent("job-1", At, "flow-é", "A \"quoted\"", 1),
            new StepCompletedEvent("job-2", At.AddSeconds(1), "flow", "B", 2, JobStatus.Blocking, TimeSpan.FromTicks(123_456_789)),
            new JobFinishedEvent("job-3", At.AddSeconds(2), "flow", JobStatus.Failed, "boom <script>"),
            new JobFinishedEvent("job-3b", At.AddSeconds(2), "flow", JobStatus.Done, null),
            new EscalationCreatedEvent("job-4", At.AddSeconds(3), escalation),
        ];

        var payloads = EventWire.Encode("0123abcd", events, 7_900, out var skipped);

        Assert.Equal(0, skipped);
        var payload = Assert.Single(payloads);
        Assert.True(Encoding.UTF8.GetByteCount(payload) == payload.Length, "The payload is ASCII.");
        var (origin, decoded) = EventWire.Decode(payload);
        Assert.Equal("0123abcd", origin);
        Assert.Equal(events[..4], decoded[..4]);
        var created = Assert.IsType<EscalationCreatedEvent>(decoded[4]);
        Assert.Equal(("job-4", At.AddSeconds(3)), (created.JobId, created.At));
        AssertSameEscalation(escalation, created.Escalation);
    }

    [Fact]
    public void Encode_ABatchAboveTheLimit_SplitsIntoPayloadsUnderItInOrder()
    {
        var events = Enumerable.Range(0, 400)
            .Select(i => (SchedulerEvent)new StepCompletedEvent($"job-{i:D4}-{Guid.NewGuid()}", At.AddMilliseconds(i), "flow", "State", i, JobStatus.Running, TimeSpan.FromMilliseconds(i)))
            .ToList();

        var payloads = EventWire.Encode("abc", events, 7_900, out var skipped);

        Assert.Equal(0, skipped);
        Assert.True(payloads.Count > 1, $"{payloads.Count} payload(s) for {payloads.Sum(p => p.Length)} bytes.");
        Assert.True(payloads.Sum(p => p.Length) > 8_000);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= 7_900, $"A payload of {p.Length} bytes."));
        Assert.Equal(events, payloads.SelectMany(p => EventWire.Decode(p).Events));
    }

    [Fact]
    public void Encode_AnEscalationTooLargeForOneMessage_GoesByReference_AndOtherTooLargeEventsAreSkipped()
    {
        var escalation = NewEscalation("job-1", new string('x', 10_000));
        SchedulerEvent[] events =
        [
            new EscalationCreatedEvent("job-1", At, escalation),
            new JobFinishedEvent("job-2", At, "flow", JobStatus.Failed, new string('e', 10_000)),
            new StepStartedEvent("job-3", At, "flow", "A", 1),
        ];

        var payloads = EventWire.Encode("abc", events, 7_900, out var skipped);

        Assert.Equal(1, skipped);
        var decoded = payloads.SelectMany(p => EventWire.Decode(p).Events).ToList();
        Assert.Equal([new EscalationCreatedReference("job-1", At, escalation.Id), events[2]], decoded);
    }

    private static Escalation NewEscalation(string jobId, string message) => new(
        "w_esc",
        jobId,
        "w_esc",
        "ann",
        message,
        [EscalationInput.Approve("ok", "OK?"), EscalationInput.Select("pick", "Pick", new Dictionary<string, string> { ["a"] = "Alpha" }), EscalationInput.Comment("note", "Note")],
        EscalationStatus.Pending,
        new JsonObject { ["n"] = 1, ["s"] = "ü" },
        "bob",
        At,
        At.AddMinutes(1));

    private static void AssertSameEscalation(Escalation expected, Escalation actual)
    {
        Assert.Equal(expected with { Inputs = [], Response = null }, actual with { Inputs = [], Response = null });
        Assert.Equal(expected.Inputs.Select(i => (i.Id, i.Label, i.Kind)), actual.Inputs.Select(i => (i.Id, i.Label, i.Kind)));
        Assert.Equal(expected.Inputs[1].Options, actual.Inputs[1].Options);
        Assert.True(JsonNode.DeepEquals(expected.Response, actual.Response), actual.Response?.ToJsonString());
    }
}
