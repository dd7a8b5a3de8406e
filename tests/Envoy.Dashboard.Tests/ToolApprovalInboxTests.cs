using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests;

/// <summary>A <see cref="ToolAgent"/>'s request to run a tool that needs approval, as the inbox shows and answers it.</summary>
public sealed class ToolApprovalInboxTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    private readonly List<string> _deployed = [];

    protected override void ConfigureFlows(EnvoyBuilder envoy)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        var deploy = AgentTool.Create("deploy", "Deploy a version", (string version) =>
        {
            lock (_deployed)
            {
                _deployed.Add(version);
            }

            return "deployed " + version;
        }) with { RequiresApproval = true };
        var agent = new ToolAgent(new ScriptedModel(), new AgentOptions { Tools = [deploy], Approver = "alice" });
        envoy.AddFlow("deployer", agent.Flow);
    }

    [Fact]
    public async Task The_card_shows_the_tool_and_its_arguments_and_approving_runs_the_tool()
    {
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "deployer", JsonValue.Create("Deploy 1.2.3")!);
        var page = await SignInAsync(ApiKeys.Alice);
        await page.GotoAsync(Root + "escalations");
        var card = page.Locator("article.escalation");
        await Assertions.Expect(card).ToHaveCountAsync(1);

        await Assertions.Expect(card.Locator(".tool-name")).ToHaveTextAsync("deploy");
        await Assertions.Expect(card.Locator(".tool-arguments")).ToContainTextAsync("\"version\": \"1.2.3\"");
        await Assertions.Expect(card.GetByRole(AriaRole.Group, new() { Name = "Run deploy" })).ToBeVisibleAsync();
        await card.GetByLabel("Comment for the agent").FillAsync("go");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Done, job.Status);
        lock (_deployed)
        {
            Assert.Equal(["1.2.3"], _deployed);
        }
    }

    /// <summary>A model that asks for <c>deploy { version: "1.2.3" }</c> once, then answers "Finished.".</summary>
    private sealed class ScriptedModel : ILlmProvider
    {
        public Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(messages.Any(m => m.Role == LlmRole.Tool || m.Content?.Contains("deployed", StringComparison.Ordinal) == true)
                ? new LlmResponse { Text = "Finished.", Model = "scripted" }
                : new LlmResponse { ToolCalls = [new LlmToolCall("c_deploy", "deploy", "{\"version\":\"1.2.3\"}")], Model = "scripted" });
    }
}
