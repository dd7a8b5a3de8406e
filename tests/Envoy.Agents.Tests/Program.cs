namespace Envoy.Agents.Tests;

/// <summary>
/// The test assembly's entry point: with <c>--agent-worker</c> it is a scheduler worker process running the crash test's
/// agent (the test kills it); with <c>--llm-limits-worker</c> one of the worker processes of the shared LLM limit tests;
/// otherwise it does nothing (the test runner does not call it).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 4 && args[0] == "--agent-worker")
        {
            await CrashTestAgent.RunWorkerAsync(dbPath: args[1], baseUrl: args[2], markerFile: args[3]);
            return 0;
        }

        if (args.Length == 6 && args[0] == LlmLimitsWorker.Mode)
        {
            return await LlmLimitsWorker.RunAsync(args);
        }

        return 0;
    }
}
