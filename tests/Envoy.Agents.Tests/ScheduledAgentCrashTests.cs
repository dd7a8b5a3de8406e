using System.Diagnostics;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ScheduledAgentCrashTests
{
    [Fact]
    public async Task WorkerKilledAfterACommittedToolRound_ResumesWithoutRepeatingCommittedCalls()
    {
        var dir = Directory.CreateTempSubdirectory("envoy-agent-crash-");
        var dbPath = Path.Combine(dir.FullName, "jobs.db");
        var marker = Path.Combine(dir.FullName, "tool-runs.txt");
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("count", new { }, "c1")) with { InputTokens = 100, OutputTokens = 10 }, // model call 1: plan a tool round
            FakeLlmResponse.Hang(),                                                   // model call 2: the worker dies during it
            FakeLlmResponse.Text("Counted once.") with { InputTokens = 50, OutputTokens = 5 }); // model call 2, again, by the next worker

        using var worker = StartWorker(dbPath, server.BaseUrl, marker);
        string jobId;
        try
        {
            jobId = await ReadJobIdAsync(worker);

            // Request 2 is the Plan step after the tool round: the round (step 3) is committed by then.
            await server.WaitForRequestAsync(2, TestSupport.Patience);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync().WaitAsync(TestSupport.Patience);
        }

        Assert.Single(await File.ReadAllLinesAsync(marker));

        // Another worker on the same store takes the job over once the dead worker's lease expires.
        await using var scheduler = await Scheduler.InitAsync(CrashTestAgent.Config(dbPath));
        scheduler.AddFlow(CrashTestAgent.Flow, CrashTestAgent.Build(server.BaseUrl, marker));
        await scheduler.StartAsync();
        var job = await scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(60));

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("Counted once.", job.Context.Output<string>());
        Assert.Single(await File.ReadAllLinesAsync(marker));
        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(2, requests[0].Messages.Count);
        Assert.Single(requests, r => r.Messages.Count == 2);
        Assert.Equal(requests[1].Body.ToJsonString(), requests[2].Body.ToJsonString());
        Assert.Equal([("c1", "1")], requests[2].ToolResults);
        Assert.Equal(new LlmUsage(150, 15), job.Context.GetAgentUsage());
        Assert.Equal([2, 4], job.Context.GetAgentStepUsage().Keys);
        dir.Delete(recursive: true);
    }

    private static Process StartWorker(string dbPath, string baseUrl, string marker)
    {
        var assembly = typeof(Program).Assembly.Location;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", assembly, "--agent-worker", dbPath, baseUrl, marker })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("The worker process did not start.");
    }

    private static async Task<string> ReadJobIdAsync(Process worker)
    {
        using var limit = new CancellationTokenSource(TestSupport.Patience);
        while (await worker.StandardOutput.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("JOB ", StringComparison.Ordinal))
            {
                return line[4..];
            }
        }

        throw new InvalidOperationException("The worker exited before scheduling its job: " + await worker.StandardError.ReadToEndAsync());
    }
}
