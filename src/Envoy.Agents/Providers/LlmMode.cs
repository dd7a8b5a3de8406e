namespace Envoy;

/// <summary>How a provider reads the model's reply into <see cref="LlmResponse.Data"/>.</summary>
public enum LlmMode
{
    /// <summary>Plain text; <see cref="LlmResponse.Data"/> stays <c>null</c>.</summary>
    Text,

    /// <summary>
    /// The model is asked for a JSON object and the reply is parsed into <see cref="LlmResponse.Data"/>;
    /// a reply that is not valid JSON raises an <see cref="LlmException"/> of type <see cref="LlmErrorTypes.InvalidJson"/>.
    /// </summary>
    Json,

    /// <summary>
    /// The reply is parsed as XML into <see cref="LlmResponse.Data"/> (elements become properties, attributes <c>@name</c>);
    /// invalid XML is reported in the data as <c>{ "error": ..., "text": ... }</c> instead of failing the call.
    /// </summary>
    Xml,
}
