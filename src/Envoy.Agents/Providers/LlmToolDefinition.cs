using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A tool offered to the model for native tool calling (<see cref="LlmConfig.Tools"/>).</summary>
/// <param name="Name">The name the model calls it by.</param>
/// <param name="Description">What it does, for the model.</param>
/// <param name="Parameters">A JSON Schema of its arguments object.</param>
public sealed record LlmToolDefinition(string Name, string Description, JsonNode Parameters);
