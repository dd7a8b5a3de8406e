using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Envoy.Cli.Tests.Harness;

/// <summary>
/// Runs the built CLI as a real process (<c>dotnet Envoy.Cli.dll ...</c>) with a clean environment: no <c>ENVOY_*</c> or
/// <c>NO_COLOR</c> from the caller, and <c>ENVOY_CONFIG</c> pointing at a file that does not exist (no user profile file).
/// Output is redirected (captured), as in a script.
/// </summary>
public static class EnvoyCli
{
    /// <summary>How long one run may take on a loaded machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string CliDll { get; } = Metadata("EnvoyCliDll");

    public static string CliProject { get; } = Metadata("EnvoyCliProject");

    public static string Configuration { get; } = Metadata("BuildConfiguration");

    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs <c>envoy</c> with <paramref name="args"/>.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null, null);

    /// <summary>Runs <c>envoy</c> with <paramref name="args"/>, extra environment variables (null removes one) and standard input.</summary>
    public static Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment, string? stdin)
    {
        if (!File.Exists(CliDll))
        {
            throw new FileNotFoundException($"Envoy.Cli is not built at {CliDll}; build the test project (it references it).", CliDll);
        }

        return RunProcessAsync(DotnetHost, [CliDll, .. args], environment, stdin, workingDirectory: null);
    }

    /// <summary>Runs any program the same way (the installed tool's shim, <c>dotnet pack</c>).</summary>
    public static async Task<CliResult> RunProcessAsync(
        string program,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        string? stdin,
        string? workingDirectory,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "ENVOY_URL", "ENVOY_KEY", "NO_COLOR", "XDG_CONFIG_HOME" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ENVOY_CONFIG"] = Path.Combine(Path.GetTempPath(), "envoy-cli-tests-no-such-config.json");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var commandLine = string.Join(' ', start.ArgumentList.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? Timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{program} {commandLine} did not exit within {(timeout ?? Timeout).TotalSeconds:0} s.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr, commandLine);
    }

    private static string Metadata(string key) =>
        typeof(EnvoyCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
