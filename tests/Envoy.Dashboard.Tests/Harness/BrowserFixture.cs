using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.Harness;

/// <summary>
/// One headless Chromium for the whole test assembly (Debian's <c>chromium</c>, driven by Playwright; Playwright's own browser
/// download does not work here). <c>ENVOY_CHROMIUM</c> overrides the executable.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("ENVOY_CHROMIUM") is { Length: > 0 } custom ? custom : DefaultExecutable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Chromium is not installed at {executable}: run ./build/test.sh (it installs the apt package 'chromium') or set ENVOY_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            Timeout = 120_000,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The tests that share the browser (and, for PostgreSQL tests, the servers).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>, ICollectionFixture<Envoy.TestServers.PostgresFixture>
{
    public const string Name = "browser";
}
