using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>
/// The Workers page (the live workers on the store and the flow versions each serves) and the job page's mark of a job whose
/// version no live worker has, both from the store's registry of live workers.
/// </summary>
public sealed class WorkersPageTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    [Fact]
    public async Task The_workers_page_lists_each_live_scheduler_and_the_job_page_marks_a_version_no_live_worker_has()
    {
        var retired = Guid.NewGuid().ToString();
        await Host.Scheduler.Store.CreateJobAsync(new Envoy.Runtime.Storage.NewJob(
            retired, "square", new StateContext("Square", 3) { JobId = retired }.Serialize(), 0, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), 0, null, null, null) { FlowVersion = "retired" });
        var served = await Host.Scheduler.ScheduleAsync("square", 2, new ScheduleOptions { Delay = TimeSpan.FromHours(1) });
        var page = await SignInAsync(ApiKeys.Alice);

        await page.GetByRole(AriaRole.Link, new() { Name = "Workers" }).ClickAsync();
        var row = page.Locator($"tr[data-worker='{Host.Scheduler.WorkerId}']");
        await Assertions.Expect(row).ToContainTextAsync(Environment.MachineName);
        await Assertions.Expect(row).ToContainTextAsync(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(row.Locator($".worker-flow[data-flow='square'][data-version='{Host.Scheduler.FlowVersions["square"][^1]}']")).ToBeVisibleAsync();
        await Screenshots.ShootAsync(page, "workers-light");

        await page.GotoAsync(Root + "jobs/" + retired);
        await Assertions.Expect(page.Locator(".unserved-version")).ToContainTextAsync("no live worker has this version");
        await page.GotoAsync(Root + "jobs/" + served);
        await Assertions.Expect(page.Locator("#job-summary")).ToContainTextAsync(Host.Scheduler.FlowVersions["square"][^1]);
        await Assertions.Expect(page.Locator(".unserved-version")).ToHaveCountAsync(0);

        // Another process takes the retired version: the mark goes (the store-wide answer, not this server's flows).
        var other = new Scheduler(Host.Scheduler.Store, new SchedulerOptions(), ownsStore: false)
            .AddFlow("square", new StateFlow([new State("Other") { OnState = async ctx => ctx, Router = Router.End }]), new FlowOptions { Version = "retired" });
        await using (other)
        {
            await other.StartAsync();
            await page.GotoAsync(Root + "jobs/" + retired);
            await Assertions.Expect(page.Locator("#job-summary")).ToContainTextAsync("retired");
            await Assertions.Expect(page.Locator(".unserved-version")).ToHaveCountAsync(0);
            await page.GotoAsync(Root + "workers");
            await Assertions.Expect(page.Locator($"tr[data-worker='{other.WorkerId}'] .worker-flow[data-version='retired']")).ToBeVisibleAsync();
        }

        Assert.Empty(ConsoleErrors);
    }
}
