using System.Text.Json;
using Envoy.Cli.Api;

namespace Envoy.Cli.Config;

/// <summary>
/// Resolves the server URL and key: <c>--url</c>/<c>--key</c> first, then the profile named by <c>--profile</c>, then
/// <c>ENVOY_URL</c>/<c>ENVOY_KEY</c>, then the profile file's default profile, then <see cref="DefaultUrl"/> (no key).
/// </summary>
internal static class SettingsResolver
{
    /// <summary>The URL used when nothing else gives one.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080/envoy";

    /// <summary>The environment variable holding the server URL.</summary>
    public const string UrlVariable = "ENVOY_URL";

    /// <summary>The environment variable holding the API key.</summary>
    public const string KeyVariable = "ENVOY_KEY";

    /// <summary>The environment variable naming another profile file.</summary>
    public const string ConfigVariable = "ENVOY_CONFIG";

    /// <summary>Combines the sources into the settings of one invocation.</summary>
    /// <exception cref="CliException">A bad URL, an unreadable profile file or an unknown profile (exit code 2).</exception>
    public static CliSettings Resolve(string? url, string? key, string? profileName)
    {
        var file = LoadProfileFile();
        ServerProfile? named = null;
        if (!string.IsNullOrEmpty(profileName))
        {
            if (file?.Profiles is null || !file.Profiles.TryGetValue(profileName, out named))
            {
                throw CliException.Usage($"No profile '{profileName}' in {ProfilePath()}.");
            }
        }

        ServerProfile? fallback = null;
        if (named is null && file?.DefaultProfile is { Length: > 0 } defaultName && file.Profiles is not null)
        {
            file.Profiles.TryGetValue(defaultName, out fallback);
        }

        var chosenUrl = First(url, named?.Url, Environment.GetEnvironmentVariable(UrlVariable), fallback?.Url) ?? DefaultUrl;
        var chosenKey = First(key, named?.Key, Environment.GetEnvironmentVariable(KeyVariable), fallback?.Key);
        if (!Uri.TryCreate(chosenUrl.TrimEnd('/'), UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"The server URL '{chosenUrl}' is not an absolute http or https URL (such as {DefaultUrl}).");
        }

        return new CliSettings(baseUrl, chosenKey);
    }

    /// <summary>The profile file's path: <c>ENVOY_CONFIG</c>, else <c>$XDG_CONFIG_HOME/envoy/config.json</c>, else <c>~/.config/envoy/config.json</c>.</summary>
    public static string ProfilePath()
    {
        if (Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 } path)
        {
            return path;
        }

        var root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(root, "envoy", "config.json");
    }

    private static ProfileFile? LoadProfileFile()
    {
        var path = ProfilePath();
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CliJsonContext.Default.ProfileFile);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"Cannot read the profile file {path}: {ex.Message}", ex);
        }
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
