namespace Envoy;

/// <summary>
/// The result type of a tool handler that never returns, only throws. It exists so that a lambda such as
/// <c>(string x) => throw new InvalidOperationException(x)</c>, which has no delegate type of its own, can be passed to
/// <see cref="AgentTool.Create(string, string, Delegate)"/>'s typed overloads; no value of it can be made.
/// </summary>
public sealed class NoResult
{
    private NoResult()
    {
    }
}
