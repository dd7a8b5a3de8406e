using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Dashboard.Tests.Harness;
using Microsoft.Playwright;

namespace Envoy.Dashboard.Tests.JobPage;

/// <summary>A running ToolAgent's answer, streamed as progress events, shown live on its job page.</summary>
public sealed class AgentProgressPageTests(BrowserFixture browser) : DashboardTestBase(browser)
{
    private readonly StreamingModel _model = new();

    protected override void ConfigureFlows(EnvoyBuilder envoy)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        envoy.AddFlow("writer", new ToolAgent(_model).Flow);
    }

    [Fact]
    public async Task The_progress_card_shows_the_agents_answer_as_it_is_written()
    {
        var page = await SignInAsync(ApiKeys.Admin);
        var jobId = await DashboardForms.ScheduleThroughApiAsync(Host, "writer", JsonValue.Create("What is the answer?")!);
        await page.GotoAsync(Root + "jobs/" + jobId);
        await ExpectLiveAsync(page);
        _model.Connected.TrySetResult(); // the page listens: the model starts writing

        var card = page.Locator("#job-progress");
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = Timeout });
        await Assertions.Expect(card.Locator(".progress-value")).ToHaveTextAsync("The answer to everything ", new() { Timeout = Timeout });
        await Assertions.Expect(card.Locator(".progress-meta")).ToContainTextAsync("Answer being written");
        await Screenshots.ShootAsync(page, "job-agent-progress");
        _model.Rest.TrySetResult();

        await Assertions.Expect(card.Locator(".progress-value")).ToHaveTextAsync("The answer to everything is 42.", new() { Timeout = Timeout });
        var job = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("The answer to everything is 42.", job.Context.Output<string>());
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>A model that streams its answer in two parts: the first once the page listens, the rest when the test says.</summary>
    private sealed class StreamingModel : IStreamingLlmProvider
    {
        public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Rest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("A scheduled agent streams.");

        public async IAsyncEnumerable<LlmStreamUpdate> GenerateStreamingAsync(
            IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Connected.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            yield return new LlmStreamUpdate { Text = "The answer " };
            yield return new LlmStreamUpdate { Text = "to everything " };
            await Rest.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            yield return new LlmStreamUpdate { Text = "is 42.", FinishReason = "stop", Usage = new LlmUsage(10, 7) };
        }
    }
}
