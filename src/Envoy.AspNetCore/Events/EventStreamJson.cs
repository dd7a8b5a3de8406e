using System.Buffers;
using System.Text;
using System.Text.Json;
using Envoy.AspNetCore.Json;

namespace Envoy.AspNetCore.Events;

/// <summary>
/// The SSE form of scheduler events: the event type (lower camel) and a JSON object with <c>jobId</c>, <c>at</c> and the
/// event's fields in camelCase (statuses as lower-camel strings, durations in milliseconds, an escalation as the API writes it;
/// a <c>progress</c> event: <c>flow</c>, <c>state</c>, <c>step</c>, <c>sequence</c> and the reported value as <c>progress</c>).
/// </summary>
internal static class EventStreamJson
{
    /// <summary>The event type names (<c>progress</c>: a running step's progress, <see cref="JobProgressEvent"/>).</summary>
    public const string StepStarted = "stepStarted";
    public const string StepCompleted = "stepCompleted";
    public const string JobFinished = "jobFinished";
    public const string EscalationCreated = "escalationCreated";
    public const string Progress = "progress";

    /// <summary>The kind and data of <paramref name="e"/>, or null for an event the stream does not carry.</summary>
    public static (string Kind, string Data)? Format(SchedulerEvent e)
    {
        var kind = e switch
        {
            StepStartedEvent => StepStarted,
            StepCompletedEvent => StepCompleted,
            JobFinishedEvent => JobFinished,
            EscalationCreatedEvent => EscalationCreated,
            JobProgressEvent => Progress,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jobId", e.JobId);
            w.WriteString("at", e.At.UtcDateTime);
            switch (e)
            {
                case StepStartedEvent s:
                    w.WriteString("flow", s.Flow);
                    w.WriteString("state", s.State);
                    w.WriteNumber("step", s.Step);
                    break;
                case StepCompletedEvent c:
                    w.WriteString("flow", c.Flow);
                    w.WriteString("state", c.State);
                    w.WriteNumber("step", c.Step);
                    w.WriteString("status", JsonNames.Of(c.Status));
                    w.WriteNumber("durationMs", Math.Round(c.Duration.TotalMilliseconds, 3));
                    break;
                case JobFinishedEvent f:
                    w.WriteString("flow", f.Flow);
                    w.WriteString("status", JsonNames.Of(f.Status));
                    w.WriteString("error", f.Error);
                    break;
                case JobProgressEvent p:
                    w.WriteString("flow", p.Flow);
                    w.WriteString("state", p.State);
                    w.WriteNumber("step", p.Step);
                    w.WriteNumber("sequence", p.Sequence);
                    w.WritePropertyName("progress");
                    if (p.Progress is null)
                    {
                        w.WriteNullValue();
                    }
                    else
                    {
                        p.Progress.WriteTo(w);
                    }

                    break;
                case EscalationCreatedEvent x:
                    w.WritePropertyName("escalation");
                    WriteEscalation(w, x.Escalation);
                    break;
            }

            w.WriteEndObject();
        }

        return (kind, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteEscalation(Utf8JsonWriter w, Escalation e)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("jobId", e.JobId);
        w.WriteString("waitId", e.WaitId);
        w.WriteString("user", e.User);
        w.WriteString("message", e.Message);
        w.WriteStartArray("inputs");
        foreach (var input in e.Inputs)
        {
            w.WriteStartObject();
            w.WriteString("id", input.Id);
            w.WriteString("label", input.Label);
            w.WriteString("kind", JsonNames.Of(input.Kind));
            if (input.Options is { } options)
            {
                w.WriteStartObject("options");
                foreach (var (value, label) in options)
                {
                    w.WriteString(value, label);
                }

                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("options");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("status", JsonNames.Of(e.Status));
        w.WritePropertyName("response");
        if (e.Response is null)
        {
            w.WriteNullValue();
        }
        else
        {
            e.Response.WriteTo(w);
        }

        w.WriteString("repliedBy", e.RepliedBy);
        w.WriteString("createdAt", e.CreatedAt.UtcDateTime);
        if (e.AnsweredAt is { } answered)
        {
            w.WriteString("answeredAt", answered.UtcDateTime);
        }
        else
        {
            w.WriteNull("answeredAt");
        }

        w.WriteEndObject();
    }
}
