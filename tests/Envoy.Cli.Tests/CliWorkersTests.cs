using Envoy.Cli.Tests.Harness;

namespace Envoy.Cli.Tests;

/// <summary><c>envoy workers</c> against a real server: the server's started scheduler is a live worker with its flow versions.</summary>
[Collection(CliServerGroup.Name)]
public sealed class CliWorkersTests(CliServerFixture server)
{
    [Fact]
    public async Task Workers_ListsTheServersSchedulerWithItsFlowVersions_AsATableAndAsJson()
    {
        var json = (await server.RunAsync("workers", "--json")).Expect(0).Json().AsArray();
        var table = (await server.RunAsync("workers")).Expect(0);
        var viewer = (await server.RunWithKeyAsync(CliServerFixture.ViewerKey, "workers", "--json")).Expect(0).Json().AsArray();

        var worker = json.Single(w => w!["processId"]!.GetValue<int>() == server.Server.Pid)!;
        var id = worker["id"]!.GetValue<string>();
        Assert.Equal(Environment.MachineName, worker["host"]!.GetValue<string>());
        var flows = worker["flows"]!.AsArray();
        var square = flows.Single(f => f!["name"]!.GetValue<string>() == "square")!;
        Assert.False(string.IsNullOrEmpty(square["version"]!.GetValue<string>()));
        Assert.True(worker["lastSeenAt"]!.GetValue<DateTimeOffset>() >= worker["startedAt"]!.GetValue<DateTimeOffset>());
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("square " + square["version"]!.GetValue<string>(), table.Stdout, StringComparison.Ordinal);
        Assert.Contains(viewer, w => w!["id"]!.GetValue<string>() == id);
    }
}
