using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Envoy.TestServers;

namespace Envoy.Server.Tests.Harness;

/// <summary>
/// The real <c>Envoy.Server</c> as a separate process: <c>dotnet Envoy.Server.dll --urls http://127.0.0.1:&lt;free port&gt;</c>, in
/// a fresh temporary folder (its working directory) with its SQLite file there (<c>Envoy__Sqlite__Path</c>), an admin API key
/// <see cref="AdminKey"/> unless told otherwise, the given environment; stopped by PID with SIGTERM.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string AdminKey = "server-tests-admin-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly List<(string Prefix, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(string folder, int port, string environment, IReadOnlyDictionary<string, string?> variables, IEnumerable<string> args)
    {
        Folder = folder;
        Port = port;
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Envoy__Sqlite__Path"] = DatabasePath;
        foreach (var (name, value) in variables)
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

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _output);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _errors);
        _process.Exited += (_, _) =>
        {
            _process.WaitForExit(); // drains the last output lines first
            _exited.TrySetResult();
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process's working directory (a fresh temporary folder).</summary>
    public string Folder { get; }

    /// <summary>Its SQLite file, in <see cref="Folder"/>.</summary>
    public string DatabasePath => Path.Combine(Folder, "envoy.db");

    public int Port { get; }

    /// <summary>The root it was told to listen on.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public int Pid => _process.Id;

    public string Output => Read(_output);

    public string Errors => Read(_errors);

    public static string ServerDll { get; } =
        typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EnvoyServerDll").Value!;

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>
    /// Starts the server; <paramref name="withKey"/> adds the admin key <see cref="AdminKey"/> (user <c>root</c>) as
    /// <c>Envoy__Server__ApiKeys__0__*</c>. Does not wait for it to be ready (see <see cref="WaitUntilReadyAsync"/>).
    /// </summary>
    public static ServerProcess Start(
        string environment = "Production",
        bool withKey = true,
        IReadOnlyDictionary<string, string?>? variables = null,
        string? databaseFolder = null,
        params string[] args)
    {
        if (!File.Exists(ServerDll))
        {
            throw new FileNotFoundException($"Envoy.Server is not built at {ServerDll}; build the test project (it references it).", ServerDll);
        }

        var folder = databaseFolder ?? Directory.CreateTempSubdirectory("envoy-server-process-").FullName;
        var all = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (withKey)
        {
            all["Envoy__Server__ApiKeys__0__Key"] = AdminKey;
            all["Envoy__Server__ApiKeys__0__User"] = "root";
            all["Envoy__Server__ApiKeys__0__Role"] = "admin";
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        return new ServerProcess(folder, FreePort.Next(), environment, all, args);
    }

    /// <summary>Waits for the ready line on standard output and returns it.</summary>
    public Task<string> WaitUntilReadyAsync() => WaitForLineAsync(ServerAnnouncer.ReadyLinePrefix, TimeSpan.FromMinutes(2));

    /// <summary>Completes with the first standard-output line starting with <paramref name="prefix"/>; fails if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((prefix, seen));
        }

        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(timeout);
        if (first != seen.Task && !seen.Task.IsCompleted)
        {
            throw new InvalidOperationException($"Envoy.Server exited (code {_process.ExitCode}) before printing '{prefix}'.\n{Describe()}");
        }

        return await seen.Task;
    }

    /// <summary>A client of this server calling with <paramref name="key"/> (none: anonymous).</summary>
    public HttpClient Client(string? key = AdminKey)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Sends SIGTERM to the process (by its PID), as a service manager or Ctrl+C would.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -TERM {Pid} failed with {kill.ExitCode}");
    }

    /// <summary>Waits for the process to exit within <paramref name="timeout"/> and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Envoy.Server (pid {Pid}) did not exit within {timeout.TotalSeconds:0} s.\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code once it has exited (at most <paramref name="seconds"/> later).</summary>
    public async Task<int> StopAsync(int seconds = 15)
    {
        await TerminateAsync();
        return await WaitForExitAsync(TimeSpan.FromSeconds(seconds));
    }

    public string Describe() => $"stdout:\n{Output}\nstderr:\n{Errors}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder.
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private void OnLine(string? line, StringBuilder into)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> matched = [];
        lock (into)
        {
            into.Append(line).Append('\n');
            if (into == _output)
            {
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (line.StartsWith(_waiters[i].Prefix, StringComparison.Ordinal))
                    {
                        matched.Add(_waiters[i].Seen);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        foreach (var seen in matched)
        {
            seen.TrySetResult(line);
        }
    }
}
