namespace Envoy.Runtime.Execution;

/// <summary>Fire-and-forget for continuations that cannot fail.</summary>
internal static class TaskExtensions
{
    public static void Forget(this Task task) => _ = task;
}
