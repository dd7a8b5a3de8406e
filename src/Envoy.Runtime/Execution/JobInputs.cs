using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Json;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>The scheduled input of a new job as the stores keep it (<see cref="NewJob.InputJson"/>).</summary>
internal static class JobInputs
{
    /// <summary>
    /// Letters outside ASCII and characters such as <c>&lt;</c> are written as themselves, not as <c>\uXXXX</c> escapes, so that a
    /// search of the job list finds the text a user typed (the text is data in a column, never HTML).
    /// </summary>
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The input as JSON text, or null for none (a JSON <c>null</c> input included).</summary>
    public static string? ToJson(JsonNode? input) => input?.ToJsonString(Options);
}
