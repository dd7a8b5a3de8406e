using System.Diagnostics;
using System.Text;

namespace Envoy.Packaging.Tests.Harness;

/// <summary>The result of one <c>dotnet</c> command: its exit code and everything it printed (stdout and stderr).</summary>
public sealed record DotnetResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The command, its exit code, its duration and its whole output, for a failure message.</summary>
    public string Describe() => $"`{Command}` exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s. Output:\n{Output}";
}

/// <summary>
/// Runs the .NET CLI as a child process outside the test host's MSBuild environment: no build servers or reused nodes
/// that could outlive the command, output captured, a generous timeout (a loaded 2-core machine), and the process tree
/// killed when the timeout passes.
/// </summary>
public static class DotnetCommand
{
    /// <summary>The longest a restore, pack, build or run may take on a loaded machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>The .NET installation the tests run on (for <c>DOTNET_ROOT</c> of an installed tool).</summary>
    public static string DotnetRoot =>
        Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..")).TrimEnd('/');

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="workingDirectory"/> and fails the test
    /// with the whole output when it exits with a code other than 0.</summary>
    public static async Task<DotnetResult> RunAsync(string workingDirectory, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var result = await TryRunAsync(workingDirectory, args, timeout ?? DefaultTimeout);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result;
    }

    /// <summary>Runs <c>dotnet</c> and returns its result whatever its exit code; a timeout fails the test.</summary>
    public static async Task<DotnetResult> TryRunAsync(string workingDirectory, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host runs under MSBuild's and VSTest's environment: a child build must not inherit their paths or nodes.
        foreach (var name in start.Environment.Keys.Where(IsInheritedBuildVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";

        var command = "dotnet " + string.Join(' ', start.ArgumentList);
        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "stderr: " + e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"`{command}` did not end within {timeout.TotalMinutes:F0} min; killed. Output so far:\n{Snapshot(output)}");
        }

        return new DotnetResult(command, process.ExitCode, Snapshot(output), clock.Elapsed);
    }

    private static bool IsInheritedBuildVariable(string name) =>
        name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase);

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
