using System.Text.Json.Nodes;

namespace Envoy.Cli.Tests.Harness;

/// <summary>How one <c>envoy</c> run ended: its exit code and everything it wrote.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    /// <summary>Standard output parsed as JSON (fails the test, showing the run, when it is not).</summary>
    public JsonNode Json()
    {
        try
        {
            return JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("null");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Standard output is not JSON ({ex.Message}).\n{this}", ex);
        }
    }

    /// <summary>Asserts the exit code, showing the run when it differs.</summary>
    public CliResult Expect(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"Expected exit code {exitCode}.\n{this}");
        return this;
    }

    public override string ToString() => $"$ {CommandLine}\nexit code: {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
