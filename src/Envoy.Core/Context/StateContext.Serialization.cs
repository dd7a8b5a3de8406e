using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class StateContext
{
    private const int FormatVersion = 1;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    /// <summary>
    /// The whole context as JSON: state, step, input, output, data, waits, where the step stopped, how it ended, the job id.
    /// <see cref="Deserialize(string)"/> restores it exactly.
    /// </summary>
    public string Serialize()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the context as one JSON object (the format of <see cref="Serialize"/>).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("v", FormatVersion);
        writer.WriteString("state", State);
        writer.WriteNumber("step", Step);
        WriteNode(writer, "input", _input);
        WriteNode(writer, "output", _output);
        writer.WritePropertyName("data");
        if (_data is null)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            _data.WriteTo(writer);
        }

        writer.WriteStartArray("waits");
        foreach (var wait in Waits)
        {
            writer.WriteStartObject();
            writer.WriteString("id", wait.Id);
            writer.WriteString("type", wait.Type);
            WriteNode(writer, "params", wait.Params);
            writer.WriteString("status", StatusName(wait.Status));
            WriteNode(writer, "output", wait.Output);
            writer.WriteString("error", wait.Error);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("phase", PhaseName(Phase));
        writer.WriteNumber("phaseIndex", PhaseIndex);
        if (Done is { } done)
        {
            writer.WriteString("done", DoneName(done));
        }
        else
        {
            writer.WriteNull("done");
        }

        writer.WriteString("error", Error);
        writer.WriteString("jobId", JobId);
        writer.WriteEndObject();
    }

    /// <summary>Restores a context written by <see cref="Serialize"/>.</summary>
    /// <exception cref="ContextValueException">The text is not a serialized context.</exception>
    public static StateContext Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, NodeOptions, DocumentOptions) as JsonObject
                ?? throw Malformed("it is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ContextValueException("context", $"The serialized context is not valid JSON: {ex.Message}", ex);
        }

        try
        {
            return Read(root);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new ContextValueException("context", $"The serialized context is malformed: {ex.Message}", ex);
        }
    }

    private static StateContext Read(JsonObject root)
    {
        var version = root["v"]?.GetValue<int>() ?? throw Malformed("'v' is missing");
        if (version != FormatVersion)
        {
            throw Malformed($"format version {version} is not supported (expected {FormatVersion})");
        }

        var state = root["state"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(state))
        {
            throw Malformed("'state' is missing");
        }

        var step = root["step"]?.GetValue<int>() ?? throw Malformed("'step' is missing");
        if (step < 1)
        {
            throw Malformed("'step' must be at least 1");
        }

        var ctx = new StateContext(state, step)
        {
            _input = Detach(root, "input"),
            _output = Detach(root, "output"),
            Phase = ParsePhase(root["phase"]?.GetValue<string>()),
            PhaseIndex = root["phaseIndex"]?.GetValue<int>() is { } phaseIndex
                ? (phaseIndex >= 0 ? phaseIndex : throw Malformed("'phaseIndex' must not be negative"))
                : 0,
            Done = ParseDone(root["done"]?.GetValue<string>()),
            Error = root["error"]?.GetValue<string>(),
            JobId = root["jobId"]?.GetValue<string>(),
        };
        var data = Detach(root, "data");
        if (data is not null and not JsonObject)
        {
            throw Malformed("'data' must be an object");
        }

        ctx._data = data is JsonObject { Count: > 0 } obj ? obj : null;
        if (root["waits"] is not null and not JsonArray)
        {
            throw Malformed("'waits' must be an array");
        }

        if (root["waits"] is JsonArray waits && waits.Count > 0)
        {
            ctx._waits = new List<Wait>(waits.Count);
            foreach (var node in waits)
            {
                var wait = node as JsonObject ?? throw Malformed("a wait is not an object");
                var id = wait["id"]?.GetValue<string>() ?? throw Malformed("a wait has no id");
                if (ctx._waits.Exists(w => string.Equals(w.Id, id, StringComparison.Ordinal)))
                {
                    throw Malformed($"wait '{id}' appears twice");
                }

                ctx._waits.Add(new Wait(
                    id,
                    wait["type"]?.GetValue<string>() ?? throw Malformed("a wait has no type"),
                    Detach(wait, "params"),
                    ParseStatus(wait["status"]?.GetValue<string>()),
                    Detach(wait, "output"),
                    wait["error"]?.GetValue<string>()));
            }
        }

        return ctx;
    }

    private static JsonNode? Detach(JsonObject obj, string name)
    {
        if (!obj.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        obj.Remove(name);
        return node;
    }

    private static void WriteNode(Utf8JsonWriter writer, string name, JsonNode? node)
    {
        writer.WritePropertyName(name);
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
    }

    private static ContextValueException Malformed(string why) => new("context", $"The serialized context is malformed: {why}.", null);

    private static string StatusName(WaitStatus status) => status switch
    {
        WaitStatus.Pending => "pending",
        WaitStatus.Success => "success",
        _ => "error",
    };

    private static WaitStatus ParseStatus(string? name) => name switch
    {
        "pending" => WaitStatus.Pending,
        "success" => WaitStatus.Success,
        "error" => WaitStatus.Error,
        _ => throw Malformed($"unknown wait status '{name}'"),
    };

    private static string PhaseName(StepPhase phase) => phase switch
    {
        StepPhase.PluginEnter => "pluginEnter",
        StepPhase.Enter => "enter",
        StepPhase.State => "state",
        StepPhase.PluginExit => "pluginExit",
        StepPhase.Exit => "exit",
        _ => "route",
    };

    private static StepPhase ParsePhase(string? name) => name switch
    {
        null or "pluginEnter" => StepPhase.PluginEnter,
        "enter" => StepPhase.Enter,
        "state" => StepPhase.State,
        "pluginExit" => StepPhase.PluginExit,
        "exit" => StepPhase.Exit,
        "route" => StepPhase.Route,
        _ => throw Malformed($"unknown phase '{name}'"),
    };

    private static string DoneName(DoneReason done) => done switch
    {
        DoneReason.Finished => "finished",
        DoneReason.Error => "error",
        DoneReason.Cancelled => "cancelled",
        _ => "maxSteps",
    };

    private static DoneReason? ParseDone(string? name) => name switch
    {
        null => null,
        "finished" => DoneReason.Finished,
        "error" => DoneReason.Error,
        "cancelled" => DoneReason.Cancelled,
        "maxSteps" => DoneReason.MaxSteps,
        _ => throw Malformed($"unknown done reason '{name}'"),
    };
}
