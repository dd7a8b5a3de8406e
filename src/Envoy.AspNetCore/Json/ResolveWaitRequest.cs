using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Envoy.AspNetCore.Json;

/// <summary>The body of <c>POST /jobs/{id}/waits/{waitId}/resolve</c>: <c>{ value }</c> (any JSON, <c>null</c> included).</summary>
public sealed class ResolveWaitRequest
{
    private JsonNode? _value;

    /// <summary>The value the wait resolves with.</summary>
    public JsonNode? Value
    {
        get => _value;
        set
        {
            _value = value;
            HasValue = true;
        }
    }

    /// <summary>Whether the body had a <c>value</c> (a JSON <c>null</c> counts: it is a value).</summary>
    [JsonIgnore]
    public bool HasValue { get; private set; }
}
