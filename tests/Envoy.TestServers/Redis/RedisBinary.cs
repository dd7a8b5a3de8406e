namespace Envoy.TestServers;

/// <summary>Finds redis-server.</summary>
internal static class RedisBinary
{
    /// <summary>Overrides the search.</summary>
    public const string PathVariable = "ENVOY_TEST_REDIS_SERVER";

    private const string InstallHint =
        "Install it with: apt-get install -y redis-server (build/test.sh does this on a fresh machine), or set "
        + PathVariable + " to the redis-server executable.";

    /// <summary>The explicit path, else the variable, else PATH, else /usr/bin/redis-server.</summary>
    /// <exception cref="TestServerException">Not installed (the message says how to install it).</exception>
    public static string Find(string? explicitPath)
    {
        var chosen = explicitPath ?? Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(chosen))
        {
            return File.Exists(chosen) ? chosen : throw new TestServerException($"redis-server was not found at '{chosen}'. {InstallHint}");
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new TestServerException($"redis-server was not found on PATH or in /usr/bin. {InstallHint}");
    }
}
