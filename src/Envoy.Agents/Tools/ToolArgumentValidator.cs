using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Envoy;

/// <summary>Checks a tool call's arguments against the tool's JSON Schema (JsonSchema.Net), listing every problem.</summary>
internal sealed class ToolArgumentValidator
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List };

    private readonly JsonSchema _schema;

    public ToolArgumentValidator(string toolName, JsonNode schema)
    {
        try
        {
            _schema = JsonSchema.FromText(schema.ToJsonString());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new ArgumentException($"The parameters schema of tool '{toolName}' is not a valid JSON Schema: {ex.Message}", nameof(schema), ex);
        }
    }

    public IReadOnlyList<string> Validate(JsonNode? arguments)
    {
        if (arguments is not JsonObject)
        {
            return [$"the arguments must be a JSON object, not {(arguments is null ? "null" : arguments.GetValueKind().ToString().ToLowerInvariant())}"];
        }

        var results = _schema.Evaluate(JsonSerializer.SerializeToElement(arguments), Options);
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<string>();
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (_, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                var where = detail.InstanceLocation.ToString();
                errors.Add((where.Length == 0 ? "(root)" : where) + ": " + message);
            }
        }

        return errors.Count > 0 ? errors : ["the arguments do not match the schema"];
    }
}
