using System.CommandLine;

namespace Envoy.Cli.Commands;

/// <summary>The options every command takes (recursive on the root command).</summary>
internal static class GlobalOptions
{
    /// <summary><c>--url</c>: the Envoy root, such as <c>http://127.0.0.1:5080/envoy</c> (else <c>ENVOY_URL</c>).</summary>
    public static readonly Option<string?> Url = new("--url")
    {
        Description = "The server's Envoy root URL (default: ENVOY_URL, the profile, or http://127.0.0.1:5080/envoy)",
        Recursive = true,
        HelpName = "URL",
    };

    /// <summary><c>--key</c>: the API key (else <c>ENVOY_KEY</c>).</summary>
    public static readonly Option<string?> Key = new("--key")
    {
        Description = "The API key sent as a bearer token (default: ENVOY_KEY or the profile)",
        Recursive = true,
        HelpName = "KEY",
    };

    /// <summary><c>--profile</c>: a named server of the profile file.</summary>
    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "A named server of ~/.config/envoy/config.json",
        Recursive = true,
        HelpName = "NAME",
    };

    /// <summary><c>--json</c>: print the API's JSON unchanged instead of tables.</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the API's JSON (for scripts) instead of tables",
        Recursive = true,
    };

    /// <summary>Adds the options to <paramref name="root"/>.</summary>
    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Url);
        root.Options.Add(Key);
        root.Options.Add(Profile);
        root.Options.Add(Json);
    }
}
