using Envoy.AspNetCore;
using Envoy.AspNetCore.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.Harness;

/// <summary>
/// A dashboard test: a fresh Envoy web app (SQLite unless a test class says otherwise, the sample flows, the test keys) and a
/// fresh browser context per test; every console error and page error of the test's pages is collected, and
/// <see cref="DisposeAsync"/> fails the test if there was one.
/// </summary>
[Collection(BrowserTests.Name)]
public abstract class DashboardTestBase(BrowserFixture browser) : IAsyncLifetime
{
    /// <summary>How long a browser action or expectation may take on a loaded 2-core machine.</summary>
    protected const float Timeout = 30_000;

    private readonly List<string> _consoleErrors = [];
    private ApiHost? _host;
    private IBrowserContext? _context;

    protected ApiHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("The browser context has not started.");

    /// <summary>The dashboard's root, e.g. <c>http://127.0.0.1:41234/envoy/</c>.</summary>
    protected string Root => new Uri(Host.Address, "envoy/").ToString();

    protected IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    public virtual async Task InitializeAsync()
    {
        _host = await ApiHost.StartAsync(await CreateStoreAsync(), ConfigureServer, ConfigureFlows);
        _context = await NewContextAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Assert.True(_consoleErrors.Count == 0, "The pages wrote errors to the console:\n" + string.Join('\n', _consoleErrors));
    }

    /// <summary>Override to run on another store.</summary>
    protected virtual Task<Action<EnvoyBuilder>> CreateStoreAsync() => ApiStore.Sqlite().CreateAsync();

    /// <summary>Override to change the server options.</summary>
    protected virtual void ConfigureServer(EnvoyServerOptions options)
    {
    }

    /// <summary>Override to register more flows next to the sample flows.</summary>
    protected virtual void ConfigureFlows(EnvoyBuilder envoy)
    {
    }

    /// <summary>Another browser context (another user: its own cookies), watched for console errors like the first.</summary>
    protected async Task<IBrowserContext> NewContextAsync(string colorScheme = "light")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Address.ToString(),
            ColorScheme = colorScheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(Timeout);
        context.Page += (_, page) => Watch(page);
        return context;
    }

    /// <summary>A new page in <see cref="Context"/> signed in with <paramref name="key"/>, showing the overview.</summary>
    protected async Task<IPage> SignInAsync(string key, IBrowserContext? context = null)
    {
        var page = await (context ?? Context).NewPageAsync();
        await page.GotoAsync(Root);
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>Waits until the page says its live stream is connected.</summary>
    protected static Task ExpectLiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");

    private void Watch(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add($"{page.Url}: uncaught {error}");
            }
        };
    }
}
