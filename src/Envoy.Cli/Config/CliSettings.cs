namespace Envoy.Cli.Config;

/// <summary>Where the CLI sends its requests and with which key, once options, environment and profile are combined.</summary>
/// <param name="BaseUrl">The Envoy root (for example <c>http://127.0.0.1:5080/envoy</c>), without a trailing slash.</param>
/// <param name="Key">The API key sent as <c>Authorization: Bearer</c>, or null. Never printed.</param>
internal sealed record CliSettings(Uri BaseUrl, string? Key)
{
    /// <summary>The URL of the API route <paramref name="path"/> (relative to <c>{url}/api/</c>).</summary>
    public Uri Api(string path) => new($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/api/{path}");

    /// <inheritdoc />
    /// <remarks>Leaves the key out, so that a log line or an error never shows it.</remarks>
    public override string ToString() => BaseUrl.AbsoluteUri;
}
