using Xunit;

namespace Envoy.TestServers;

/// <summary>
/// One redis-server shared by a test class (<c>IClassFixture&lt;RedisFixture&gt;</c>) or a collection. Tests that
/// share it should use their own key prefix, or run in one collection and call <see cref="RedisServer.FlushAllAsync"/>.
/// </summary>
public class RedisFixture : IAsyncLifetime
{
    private RedisServer? server;

    /// <summary>The running server.</summary>
    /// <exception cref="InvalidOperationException">Used before xunit initialized the fixture.</exception>
    public RedisServer Server => server ?? throw new InvalidOperationException("The Redis fixture has not been initialized.");

    /// <summary>"127.0.0.1:port", the StackExchange.Redis configuration string.</summary>
    public string Endpoint => Server.Endpoint;

    /// <summary>Starts the server.</summary>
    /// <returns>A task that completes when the server answers PING.</returns>
    public async Task InitializeAsync() => server = await RedisServer.StartAsync(CreateOptions()).ConfigureAwait(false);

    /// <summary>Stops the server and deletes its folder.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Override to change how redis-server runs.</summary>
    /// <returns>The options to start the server with.</returns>
    protected virtual RedisServerOptions CreateOptions() => new();
}
