using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.Harness;

/// <summary>
/// Where the screenshot tests draw the pages: <c>ENVOY_SCREENSHOTS</c>, or <c>screenshots/</c> beside the test assembly (the
/// pictures of docs/dashboard.md come from there).
/// </summary>
public static class Screenshots
{
    public static readonly string Folder = Environment.GetEnvironmentVariable("ENVOY_SCREENSHOTS") is { Length: > 0 } custom
        ? custom
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Draws the whole page into <c>{name}.png</c>; fails when the picture is empty.</summary>
    public static async Task ShootAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png"), FullPage = true });
        Assert.True(bytes.Length > 2_000, $"The screenshot {name} is empty.");
    }
}
