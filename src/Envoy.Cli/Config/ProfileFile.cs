namespace Envoy.Cli.Config;

/// <summary>
/// The optional profile file, <c>~/.config/envoy/config.json</c> (or <c>$XDG_CONFIG_HOME/envoy/config.json</c>, or the path in
/// <c>ENVOY_CONFIG</c>): named servers, and the one used when no <c>--profile</c> is given.
/// </summary>
/// <example>
/// <code>
/// { "defaultProfile": "local",
///   "profiles": { "local": { "url": "http://127.0.0.1:5080/envoy" },
///                 "prod": { "url": "https://envoy.example.com/envoy", "key": "..." } } }
/// </code>
/// </example>
internal sealed record ProfileFile(string? DefaultProfile, IReadOnlyDictionary<string, ServerProfile>? Profiles);

/// <summary>One named server of the profile file: its URL (the path <c>MapEnvoy</c> maps, such as <c>/envoy</c>) and API key.</summary>
internal sealed record ServerProfile(string? Url, string? Key);
