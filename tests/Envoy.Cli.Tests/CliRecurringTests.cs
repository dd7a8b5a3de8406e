using Envoy.Cli.Tests.Harness;

namespace Envoy.Cli.Tests;

/// <summary><c>envoy recurring list|set|remove|trigger</c> against a real server: exit codes, <c>--json</c>, tables.</summary>
[Collection(CliServerGroup.Name)]
public sealed class CliRecurringTests(CliServerFixture server)
{
    [Fact]
    public async Task Recurring_SetListTriggerRemove()
    {
        var id = "nightly-" + Guid.NewGuid().ToString("N")[..8];

        var set = (await server.RunAsync("recurring", "set", id, "--flow", "square", "--cron", "0 2 * * *", "--input", "9", "--time-zone", "Europe/Berlin")).Expect(0);
        var json = (await server.RunAsync("recurring", "set", id, "--flow", "square", "--cron", "30 2 * * *", "--input", "9", "--time-zone", "Europe/Berlin", "--json")).Expect(0).Json();
        var table = (await server.RunAsync("recurring", "list")).Expect(0);
        var list = (await server.RunAsync("recurring", "list", "--json")).Expect(0).Json().AsArray();
        var job = (await server.RunAsync("recurring", "trigger", id, "--json")).Expect(0).Json();
        var removed = (await server.RunAsync("recurring", "remove", id)).Expect(0);
        var missing = (await server.RunAsync("recurring", "trigger", id)).Expect(3);

        Assert.Contains("Created recurring schedule " + id, set.Stdout, StringComparison.Ordinal);
        Assert.Equal("30 2 * * *", json["cron"]!.GetValue<string>());
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Europe/Berlin", table.Stdout, StringComparison.Ordinal);
        var listed = list.Single(s => s!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("square", listed["flow"]!.GetValue<string>());
        Assert.Equal("square", job["flow"]!.GetValue<string>());
        Assert.Equal(9, job["input"]!.GetValue<int>());
        Assert.Contains("Removed", removed.Stdout, StringComparison.Ordinal);
        Assert.Contains(id, missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recurring_BadCron_IsExit2_NamingTheExpression()
    {
        var result = (await server.RunAsync("recurring", "set", "bad-" + Guid.NewGuid().ToString("N")[..8], "--flow", "hello", "--cron", "99 * * * *")).Expect(2);

        Assert.Contains("99 * * * *", result.Stderr, StringComparison.Ordinal);
    }
}
