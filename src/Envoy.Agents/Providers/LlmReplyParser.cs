using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Envoy;

/// <summary>Reads a reply's text as JSON or XML data (<see cref="LlmMode"/>), tolerating a Markdown code fence around it.</summary>
internal static class LlmReplyParser
{
    public static JsonNode? Parse(string text, LlmMode mode, bool hasToolCalls) => mode switch
    {
        LlmMode.Json when hasToolCalls && string.IsNullOrWhiteSpace(text) => null,
        LlmMode.Json => ParseJson(text),
        LlmMode.Xml when hasToolCalls && string.IsNullOrWhiteSpace(text) => null,
        LlmMode.Xml => ParseXml(text),
        _ => null,
    };

    /// <exception cref="LlmException">The text is not JSON.</exception>
    public static JsonNode ParseJson(string text)
    {
        var body = StripFence(text);
        if (body.Length == 0)
        {
            throw new LlmException("The model's reply is empty, so it is not valid JSON.", LlmErrorTypes.InvalidJson, null, null);
        }

        try
        {
            return JsonNode.Parse(body) ?? throw new LlmException("The model's reply is JSON null, not a JSON value.", LlmErrorTypes.InvalidJson, null, null);
        }
        catch (JsonException ex)
        {
            throw new LlmException($"The model's reply is not valid JSON: {ex.Message} Reply: {Shorten(body)}", LlmErrorTypes.InvalidJson, null, null, ex);
        }
    }

    /// <summary>The XML as JSON (<c>{ root: ... }</c>), or <c>{ "error": ..., "text": ... }</c> when it is not XML.</summary>
    public static JsonNode ParseXml(string text)
    {
        var body = StripFence(text);
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(body), settings);
            var root = XDocument.Load(reader).Root!;
            return new JsonObject { [root.Name.LocalName] = ToNode(root) };
        }
        catch (XmlException ex)
        {
            return new JsonObject { ["error"] = "The reply is not valid XML: " + ex.Message, ["text"] = text };
        }
    }

    private static JsonNode? ToNode(XElement element)
    {
        if (!element.HasAttributes && !element.HasElements)
        {
            return JsonValue.Create(element.Value);
        }

        var obj = new JsonObject();
        foreach (var attribute in element.Attributes())
        {
            obj["@" + attribute.Name.LocalName] = attribute.Value;
        }

        foreach (var group in element.Elements().GroupBy(e => e.Name.LocalName, StringComparer.Ordinal))
        {
            var items = group.ToList();
            obj[group.Key] = items.Count == 1 ? ToNode(items[0]) : new JsonArray([.. items.Select(ToNode)]);
        }

        var text = string.Concat(element.Nodes().OfType<XText>().Select(t => t.Value)).Trim();
        if (text.Length > 0)
        {
            obj["#text"] = text;
        }

        return obj;
    }

    private static string StripFence(string text)
    {
        var body = text.Trim();
        if (!body.StartsWith("```", StringComparison.Ordinal))
        {
            return body;
        }

        var firstLineEnd = body.IndexOf('\n', StringComparison.Ordinal);
        if (firstLineEnd < 0)
        {
            return body;
        }

        body = body[(firstLineEnd + 1)..];
        var close = body.LastIndexOf("```", StringComparison.Ordinal);
        return (close >= 0 ? body[..close] : body).Trim();
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
