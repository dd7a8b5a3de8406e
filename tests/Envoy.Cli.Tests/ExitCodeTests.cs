using Envoy.Cli.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.Cli.Tests;

/// <summary>The exit codes a script relies on, for the failures the spec names.</summary>
[Collection(CliServerGroup.Name)]
public sealed class ExitCodeTests(CliServerFixture server)
{
    [Fact]
    public async Task UnreachableServer_Exit6()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}/envoy";
        var result = (await EnvoyCli.RunAsync("jobs", "--url", url)).Expect(6);
        Assert.Contains(url, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_Exit5_AndTheKeyIsNeverPrinted()
    {
        const string wrong = "not-the-right-key-1234";
        var result = (await server.RunWithKeyAsync(wrong, "jobs")).Expect(5);
        Assert.NotEmpty(result.Stderr);
        Assert.DoesNotContain(wrong, result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKey_Is401_Exit5()
    {
        var result = (await EnvoyCli.RunAsync(["stats"], new Dictionary<string, string?> { ["ENVOY_URL"] = server.Url }, null)).Expect(5);
        Assert.NotEmpty(result.Stderr);
    }

    [Fact]
    public async Task ViewerCancelling_Is403_Exit5_AndTheJobGoesOn()
    {
        var id = await server.ScheduleAsync("wait");
        var result = (await server.RunWithKeyAsync(CliServerFixture.ViewerKey, "cancel", id)).Expect(5);
        Assert.Contains("viewer", result.Stderr, StringComparison.Ordinal);
        var job = (await server.RunWithKeyAsync(CliServerFixture.ViewerKey, "job", id, "--json")).Expect(0).Json();
        Assert.NotEqual("cancelled", job["status"]!.GetValue<string>());
        (await server.RunAsync("cancel", id)).Expect(0);
    }

    [Fact]
    public async Task UsageErrors_Exit2()
    {
        (await EnvoyCli.RunAsync("no-such-command")).Expect(2);
        (await EnvoyCli.RunAsync("jobs", "--no-such-option")).Expect(2);
        (await EnvoyCli.RunAsync("job")).Expect(2);
        (await EnvoyCli.RunAsync("jobs", "--url", "not a url")).Expect(2);
        (await EnvoyCli.RunAsync("migrate")).Expect(2);
        var both = (await EnvoyCli.RunAsync("migrate", "--sqlite", "a.db", "--postgres", "Host=x")).Expect(2);
        Assert.Contains("--sqlite", both.Stderr, StringComparison.Ordinal);
        Assert.Empty(both.Stdout);
    }
}
