using Envoy.Cli.Tests.Harness;

namespace Envoy.Cli.Tests;

/// <summary>What reaches a script: no ANSI escapes when redirected or with NO_COLOR; the profile file; the key never shown.</summary>
[Collection(CliServerGroup.Name)]
public sealed class OutputTests(CliServerFixture server)
{
    private const char Escape = '\u001b';

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RedirectedOrNoColor_NoAnsiEscapes(bool noColor)
    {
        var id = (await server.RunAsync("schedule", "fail", "--wait", "--json")).Expect(1).Json()["id"]!.GetValue<string>();
        var environment = new Dictionary<string, string?>
        {
            ["ENVOY_URL"] = server.Url,
            ["ENVOY_KEY"] = server.AdminKey,
            ["NO_COLOR"] = noColor ? "1" : null,
        };
        foreach (var args in new[] { new[] { "jobs" }, ["job", id], ["flows"], ["flow", "hello"], ["stats"], ["escalations"], ["watch", id], ["job", "no-such-job"] })
        {
            var result = await EnvoyCli.RunAsync(args, environment, null);
            Assert.DoesNotContain(Escape, result.Stdout);
            Assert.DoesNotContain(Escape, result.Stderr);
            Assert.True(result.Stdout.Length + result.Stderr.Length > 0, result.ToString());
        }
    }

    [Fact]
    public async Task ProfileFile_NamedAndDefaultProfiles()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-cli-profile-").FullName;
        try
        {
            var config = Path.Combine(folder, "config.json");
            await File.WriteAllTextAsync(config, $$"""
                {
                  "defaultProfile": "viewer",
                  "profiles": {
                    "admin": { "url": "{{server.Url}}", "key": "{{server.AdminKey}}" },
                    "viewer": { "url": "{{server.Url}}", "key": "{{CliServerFixture.ViewerKey}}" },
                    "nowhere": { "url": "http://127.0.0.1:1/envoy", "key": "secret-profile-key" }
                  }
                }
                """);
            var environment = new Dictionary<string, string?> { ["ENVOY_CONFIG"] = config };

            var id = (await EnvoyCli.RunAsync(["--profile", "admin", "schedule", "wait", "--json"], environment, null)).Expect(0).Json()["id"]!.GetValue<string>();

            // The default profile is the viewer: it may read, not cancel.
            (await EnvoyCli.RunAsync(["job", id, "--json"], environment, null)).Expect(0);
            (await EnvoyCli.RunAsync(["cancel", id], environment, null)).Expect(5);

            // --key wins over the profile.
            (await EnvoyCli.RunAsync(["cancel", id, "--key", server.AdminKey], environment, null)).Expect(0);

            var nowhere = (await EnvoyCli.RunAsync(["--profile", "nowhere", "stats"], environment, null)).Expect(6);
            Assert.DoesNotContain("secret-profile-key", nowhere.Stderr + nowhere.Stdout, StringComparison.Ordinal);

            (await EnvoyCli.RunAsync(["--profile", "missing", "stats"], environment, null)).Expect(2);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task EnvironmentVariables_GiveTheUrlAndKey()
    {
        var stats = (await server.RunWithKeyAsync(server.AdminKey, "stats", "--json")).Expect(0).Json();
        Assert.NotNull(stats["counts"]);
    }
}
