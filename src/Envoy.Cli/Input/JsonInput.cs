using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Cli.Input;

/// <summary>
/// Reads a JSON value given on the command line: the JSON text itself, <c>@path</c> for a file's content, or <c>-</c> for
/// standard input. Anything that is not valid JSON is a usage error (exit code 2), naming the option.
/// </summary>
internal static class JsonInput
{
    /// <summary>Reads <paramref name="value"/> (given to <paramref name="option"/>) as JSON; null stays null (no value).</summary>
    public static async Task<JsonNode?> ReadAsync(string? value, string option, TextReader stdin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        if (value is null)
        {
            return null;
        }

        string text;
        string source;
        if (value == "-")
        {
            text = await stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            source = "standard input";
        }
        else if (value.StartsWith('@'))
        {
            var path = value[1..];
            try
            {
                text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw CliException.Usage($"Cannot read {option} file '{path}': {ex.Message}", ex);
            }

            source = $"file '{path}'";
        }
        else
        {
            text = value;
            source = "the command line";
        }

        return Parse(text, option, source);
    }

    /// <summary>Parses <paramref name="text"/> as one JSON value (a JSON <c>null</c> gives null).</summary>
    public static JsonNode? Parse(string text, string option, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{option} from {source} is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The value of one <c>--set key=value</c>: JSON when it parses (<c>true</c>, <c>30</c>, <c>"text"</c>, <c>{...}</c>), else the
    /// text as a string.
    /// </summary>
    public static JsonNode? ParseLoose(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
