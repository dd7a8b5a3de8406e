using Envoy.Server.Tests.Harness;

namespace Envoy.Cli.Tests.Harness;

/// <summary>
/// One real <c>Envoy.Server</c> process for the CLI tests (starting one is the slow part), with three API keys: an admin
/// (<c>root</c>), an operator (<c>olivia</c>) and a viewer (<c>victor</c>). Tests schedule their own jobs, so they stay independent.
/// </summary>
public sealed class CliServerFixture : IAsyncLifetime
{
    public const string OperatorKey = "cli-tests-operator-key";
    public const string ViewerKey = "cli-tests-viewer-key";

    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The URL the CLI is given: the server's Envoy root.</summary>
    public string Url => $"http://127.0.0.1:{Server.Port}/envoy";

    public string AdminKey => ServerProcess.AdminKey;

    public async Task InitializeAsync()
    {
        _server = ServerProcess.Start(variables: new Dictionary<string, string?>
        {
            ["Envoy__Server__ApiKeys__1__Key"] = OperatorKey,
            ["Envoy__Server__ApiKeys__1__User"] = "olivia",
            ["Envoy__Server__ApiKeys__1__Role"] = "operator",
            ["Envoy__Server__ApiKeys__2__Key"] = ViewerKey,
            ["Envoy__Server__ApiKeys__2__User"] = "victor",
            ["Envoy__Server__ApiKeys__2__Role"] = "viewer",
        });
        await _server.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Runs <c>envoy</c> against this server as the admin (<c>--url</c> and <c>--key</c> given).</summary>
    public Task<CliResult> RunAsync(params string[] args) => EnvoyCli.RunAsync([.. args, "--url", Url, "--key", AdminKey], null, null);

    /// <summary>Runs <c>envoy</c> against this server with the URL and <paramref name="key"/> in ENVOY_URL and ENVOY_KEY.</summary>
    public Task<CliResult> RunWithKeyAsync(string? key, params string[] args) =>
        EnvoyCli.RunAsync(args, new Dictionary<string, string?> { ["ENVOY_URL"] = Url, ["ENVOY_KEY"] = key }, null);

    /// <summary>Schedules a job of <paramref name="flow"/> with the CLI and returns its id.</summary>
    public async Task<string> ScheduleAsync(string flow, string? input = null)
    {
        var args = new List<string> { "schedule", flow, "--json" };
        if (input is not null)
        {
            args.AddRange(["--input", input]);
        }

        var result = (await RunAsync([.. args])).Expect(0);
        return result.Json()["id"]!.GetValue<string>();
    }
}

[CollectionDefinition(Name)]
public sealed class CliServerGroup : ICollectionFixture<CliServerFixture>
{
    public const string Name = "cli-server";
}
