using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.JobPage;

/// <summary>
/// Draws the job page (a done job with its graph, a waiting job with the resolve form, a failed job, an agent run), the flows
/// list and a flow's graph in the light and the dark theme into <c>ENVOY_SCREENSHOTS</c> (as <see cref="ScreenshotTests"/>).
/// </summary>
public sealed class JobPageScreenshotTests(BrowserFixture browser) : DashboardTestBase(browser)
{

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected override void ConfigureFlows(EnvoyBuilder envoy) => envoy.AddFlow("adder", ScriptedLlm.AdderAgent(approval: false));

    public override Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(Timeout);
        return base.InitializeAsync();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task The_job_and_flow_pages_are_drawn_in_both_themes(string theme)
    {
        var hello = await Host.Scheduler.ScheduleAsync("hello", new { who = "world", tags = new[] { "a", "b" } });
        var agent = await Host.Scheduler.ScheduleAsync("adder", "What is 2 + 3?");
        var failed = await Host.Scheduler.ScheduleAsync("fail");
        var waiting = await Host.Scheduler.ScheduleAsync("wait", new { order = 1234, note = "<b>not bold</b>" });
        var fanout = await Host.Scheduler.ScheduleAsync("fanout", new[] { 1, 2, 3 });
        foreach (var id in new[] { hello, agent, failed, fanout })
        {
            await Host.Scheduler.WaitForJobAsync(id, Patience);
        }

        var context = await NewContextAsync(theme);
        var page = await SignInAsync(ApiKeys.Admin, context);

        await page.GotoAsync(Root + "jobs/" + hello);
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"job-done-{theme}");

        await page.GotoAsync(Root + "jobs/" + waiting);
        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("blocking");
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"job-waiting-{theme}");

        await page.GotoAsync(Root + "jobs/" + failed);
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"job-failed-{theme}");

        await page.GotoAsync(Root + "jobs/" + fanout);
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"job-children-{theme}");

        await page.GotoAsync(Root + "jobs/" + agent);
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"job-agent-{theme}");

        await page.GotoAsync(Root + "flows");
        await Screenshots.ShootAsync(page, $"flows-{theme}");

        await page.GotoAsync(Root + "flows/adder");
        await Assertions.Expect(page.Locator("#flow-graph-canvas svg")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, $"flow-graph-{theme}");

        await page.GotoAsync(Root + "jobs/" + waiting);
        await Assertions.Expect(page.Locator("#job-graph-canvas svg")).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(360, 800);
        await Screenshots.ShootAsync(page, $"job-waiting-narrow-{theme}");
        await context.CloseAsync();
    }

}
