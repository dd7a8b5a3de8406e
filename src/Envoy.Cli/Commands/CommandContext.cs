using System.CommandLine;
using Envoy.Cli.Api;
using Envoy.Cli.Config;
using Envoy.Cli.Output;

namespace Envoy.Cli.Commands;

/// <summary>What a command runs with: its parse result, the output, the API client (made on first use) and standard input.</summary>
internal sealed class CommandContext : IDisposable
{
    private EnvoyApiClient? _client;

    /// <summary>Creates the context of one invocation.</summary>
    public CommandContext(ParseResult parse, OutputWriter output, TextReader stdin)
    {
        Parse = parse;
        Output = output;
        Stdin = stdin;
    }

    /// <summary>The parsed command line.</summary>
    public ParseResult Parse { get; }

    /// <summary>Where the command writes.</summary>
    public OutputWriter Output { get; }

    /// <summary>Standard input (for <c>--input -</c>).</summary>
    public TextReader Stdin { get; }

    /// <summary>The API client, for the server that <c>--url</c>/<c>--key</c>/<c>--profile</c>/environment/profile file name.</summary>
    public EnvoyApiClient Client => _client ??= new EnvoyApiClient(
        SettingsResolver.Resolve(Parse.GetValue(GlobalOptions.Url), Parse.GetValue(GlobalOptions.Key), Parse.GetValue(GlobalOptions.Profile)));

    /// <summary>The value of <paramref name="option"/>.</summary>
    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    /// <summary>The value of <paramref name="argument"/>.</summary>
    public T Get<T>(Argument<T> argument) => Parse.GetRequiredValue(argument);

    /// <inheritdoc />
    public void Dispose() => _client?.Dispose();
}
