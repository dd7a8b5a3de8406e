using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The compact wire format of the store-wide event feed: one payload is <c>{"o":origin,"e":[event,...]}</c>, each event an
/// object with a kind <c>k</c> (<c>ss</c> step started, <c>sc</c> step completed, <c>jf</c> job finished, <c>ec</c> escalation
/// created, <c>er</c> escalation created by reference, <c>jp</c> job progress), the job <c>j</c> and the time <c>t</c> (UTC ticks), then the kind's
/// fields. The JSON is ASCII (the writer escapes the rest), so a payload's length in characters is its length in bytes.
/// </summary>
internal static class EventWire
{
    private static readonly byte[] Close = "]}"u8.ToArray();

    /// <summary>
    /// Encodes <paramref name="events"/> in order into as few payloads as fit <paramref name="maxBytes"/> each. An escalation too
    /// large to fit goes by reference (its id; the receiver reads it from the store); any other event too large is left out and
    /// counted in <paramref name="skipped"/>.
    /// </summary>
    public static List<string> Encode(string origin, IReadOnlyList<SchedulerEvent> events, int maxBytes, out int skipped)
    {
        skipped = 0;
        var payloads = new List<string>();
        var open = Encoding.UTF8.GetBytes("{\"o\":\"" + origin + "\",\"e\":["); // an origin is hex: nothing to escape
        var budget = maxBytes - open.Length - Close.Length;
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 64 * 1024));
        var scratch = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(scratch);
        var count = 0;
        foreach (var e in events)
        {
            if (!EncodeEvent(writer, scratch, e, byReference: false))
            {
                continue; // a kind the feed does not carry
            }

            if (scratch.WrittenCount > budget && e is EscalationCreatedEvent)
            {
                EncodeEvent(writer, scratch, e, byReference: true);
            }

            var encoded = scratch.WrittenSpan;
            if (encoded.Length > budget)
            {
                skipped++;
                continue;
            }

            if (count > 0 && buffer.WrittenCount + 1 + encoded.Length > budget)
            {
                payloads.Add(Payload(open, buffer));
                buffer.Clear();
                count = 0;
            }

            if (count > 0)
            {
                buffer.Write(","u8);
            }

            buffer.Write(encoded);
            count++;
        }

        if (count > 0)
        {
            payloads.Add(Payload(open, buffer));
        }

        return payloads;
    }

    /// <summary>The origin and events of a payload; events by reference come as <see cref="EscalationCreatedReference"/>.</summary>
    /// <exception cref="JsonException">The payload is not of this format.</exception>
    public static (string Origin, List<SchedulerEvent> Events) Decode(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var origin = root.GetProperty("o").GetString() ?? throw new JsonException("No origin.");
        var events = new List<SchedulerEvent>();
        foreach (var e in root.GetProperty("e").EnumerateArray())
        {
            if (DecodeEvent(e) is { } decoded)
            {
                events.Add(decoded);
            }
        }

        return (origin, events);
    }

    private static string Payload(byte[] open, ArrayBufferWriter<byte> events)
    {
        var bytes = new byte[open.Length + events.WrittenCount + Close.Length];
        open.CopyTo(bytes, 0);
        events.WrittenSpan.CopyTo(bytes.AsSpan(open.Length));
        Close.CopyTo(bytes, open.Length + events.WrittenCount);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Writes one event into <paramref name="scratch"/> (cleared first); false for a kind the feed does not carry.</summary>
    private static bool EncodeEvent(Utf8JsonWriter w, ArrayBufferWriter<byte> scratch, SchedulerEvent e, bool byReference)
    {
        scratch.Clear();
        w.Reset(scratch);
        w.WriteStartObject();
        switch (e)
        {
            case StepStartedEvent s:
                Head(w, "ss", e);
                w.WriteString("f", s.Flow);
                w.WriteString("s", s.State);
                w.WriteNumber("n", s.Step);
                break;
            case StepCompletedEvent c:
                Head(w, "sc", e);
                w.WriteString("f", c.Flow);
                w.WriteString("s", c.State);
                w.WriteNumber("n", c.Step);
                w.WriteNumber("x", (int)c.Status);
                w.WriteNumber("d", c.Duration.Ticks);
                break;
            case JobFinishedEvent f:
                Head(w, "jf", e);
                w.WriteString("f", f.Flow);
                w.WriteNumber("x", (int)f.Status);
                if (f.Error is not null)
                {
                    w.WriteString("r", f.Error);
                }

                break;
            case JobProgressEvent p:
                Head(w, "jp", e);
                w.WriteString("f", p.Flow);
                w.WriteString("s", p.State);
                w.WriteNumber("n", p.Step);
                w.WriteNumber("q", p.Sequence);
                if (p.Progress is not null)
                {
                    w.WritePropertyName("p");
                    p.Progress.WriteTo(w);
                }

                break;
            case EscalationCreatedEvent c when byReference:
                Head(w, "er", e);
                w.WriteString("i", c.Escalation.Id);
                break;
            case EscalationCreatedEvent c:
                Head(w, "ec", e);
                w.WritePropertyName("e");
                WriteEscalation(w, c.Escalation);
                break;
            default:
                return false;
        }

        w.WriteEndObject();
        w.Flush();

        return true;
    }

    private static void Head(Utf8JsonWriter w, string kind, SchedulerEvent e)
    {
        w.WriteString("k", kind);
        w.WriteString("j", e.JobId);
        w.WriteNumber("t", e.At.UtcTicks);
    }

    private static void WriteEscalation(Utf8JsonWriter w, Escalation e)
    {
        w.WriteStartObject();
        w.WriteString("i", e.Id);
        w.WriteString("j", e.JobId);
        w.WriteString("w", e.WaitId);
        w.WriteString("u", e.User);
        w.WriteString("m", e.Message);
        w.WritePropertyName("in");
        JsonSerializer.Serialize(w, e.Inputs, EnvoyJson.Options);
        w.WriteNumber("x", (int)e.Status);
        if (e.Response is not null)
        {
            w.WritePropertyName("re");
            e.Response.WriteTo(w);
        }

        if (e.RepliedBy is not null)
        {
            w.WriteString("rb", e.RepliedBy);
        }

        w.WriteNumber("c", e.CreatedAt.UtcTicks);
        if (e.AnsweredAt is { } answered)
        {
            w.WriteNumber("a", answered.UtcTicks);
        }

        w.WriteEndObject();
    }

    private static SchedulerEvent? DecodeEvent(JsonElement e)
    {
        var jobId = e.GetProperty("j").GetString()!;
        var at = Time(e.GetProperty("t"));
        return e.GetProperty("k").GetString() switch
        {
            "ss" => new StepStartedEvent(jobId, at, Text(e, "f"), Text(e, "s"), e.GetProperty("n").GetInt32()),
            "sc" => new StepCompletedEvent(
                jobId, at, Text(e, "f"), Text(e, "s"), e.GetProperty("n").GetInt32(), (JobStatus)e.GetProperty("x").GetInt32(), TimeSpan.FromTicks(e.GetProperty("d").GetInt64())),
            "jf" => new JobFinishedEvent(jobId, at, Text(e, "f"), (JobStatus)e.GetProperty("x").GetInt32(), OptionalText(e, "r")),
            "ec" => new EscalationCreatedEvent(jobId, at, ReadEscalation(e.GetProperty("e"))),
            "jp" => new JobProgressEvent(
                jobId, at, Text(e, "f"), Text(e, "s"), e.GetProperty("n").GetInt32(), e.GetProperty("q").GetInt64(),
                e.TryGetProperty("p", out var progress) ? JsonNode.Parse(progress.GetRawText()) : null),
            "er" => new EscalationCreatedReference(jobId, at, Text(e, "i")),
            _ => null, // a kind a newer version sends: skipped
        };
    }

    private static Escalation ReadEscalation(JsonElement e) => new(
        Text(e, "i"),
        Text(e, "j"),
        Text(e, "w"),
        Text(e, "u"),
        Text(e, "m"),
        e.GetProperty("in").Deserialize<List<EscalationInput>>(EnvoyJson.Options) ?? [],
        (EscalationStatus)e.GetProperty("x").GetInt32(),
        e.TryGetProperty("re", out var response) ? JsonNode.Parse(response.GetRawText()) : null,
        OptionalText(e, "rb"),
        Time(e.GetProperty("c")),
        e.TryGetProperty("a", out var answered) ? Time(answered) : null);

    private static DateTimeOffset Time(JsonElement ticks) => new(ticks.GetInt64(), TimeSpan.Zero);

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static string? OptionalText(JsonElement e, string name) => e.TryGetProperty(name, out var value) ? value.GetString() : null;
}

/// <summary>An escalation-created event that came by reference (too large for one message): the receiver reads the escalation.</summary>
internal sealed record EscalationCreatedReference(string JobId, DateTimeOffset At, string EscalationId) : SchedulerEvent(JobId, At);
