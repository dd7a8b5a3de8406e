using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.JobPage;

/// <summary>The agent viewer of a run whose tool call waits for a human's approval.</summary>
public sealed class AgentApprovalPageTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    protected override void ConfigureFlows(EnvoyBuilder envoy) => envoy.AddFlow("adder", ScriptedLlm.AdderAgent(approval: true));

    public override Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(Timeout);
        return base.InitializeAsync();
    }

    [Fact]
    public async Task A_tool_call_awaiting_approval_shows_the_tool_and_its_arguments()
    {
        var id = await Host.Scheduler.ScheduleAsync("adder", "What is 2 + 3?");
        var page = await SignInAsync(ApiKeys.Admin);

        await page.GotoAsync(Root + "jobs/" + id);

        await Assertions.Expect(page.Locator("#job-summary .badge")).ToHaveTextAsync("blocking");
        var call = page.Locator("#agent-run .tool-call[data-tool='add']");
        await Assertions.Expect(call).ToContainTextAsync("awaiting approval");
        await Assertions.Expect(call.Locator(".tool-args")).ToContainTextAsync("a: 2");
        await Assertions.Expect(page.Locator("#job-waits")).ToContainTextAsync("The agent wants to call tool 'add'");
        await Assertions.Expect(page.Locator("#job-graph-canvas g.node.current")).ToContainTextAsync("ToolCall");
    }
}
