namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>
/// A test class against one fresh host per test on <see cref="Store"/>, with a client per key. Resource suites derive from it
/// as abstract classes and get one concrete class per store (SQLite, PostgreSQL, PostgreSQL + Redis).
/// </summary>
public abstract class ApiTestBase(ApiStore store) : IAsyncLifetime
{
    private ApiHost? _host;

    protected ApiStore Store { get; } = store;

    protected ApiHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>The operator <c>alice</c>.</summary>
    protected HttpClient Alice { get; private set; } = null!;

    /// <summary>The operator <c>bob</c>.</summary>
    protected HttpClient Bob { get; private set; } = null!;

    protected HttpClient Viewer { get; private set; } = null!;

    protected HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _host = await ApiHost.StartAsync(await Store.CreateAsync(), ConfigureServer, ConfigureFlows, ConfigureScheduler);
        Admin = _host.Client(ApiKeys.Admin);
        Alice = _host.Client(ApiKeys.Alice);
        Bob = _host.Client(ApiKeys.Bob);
        Viewer = _host.Client(ApiKeys.Viewer);
        Anonymous = _host.Client();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Admin, Alice, Bob, Viewer, Anonymous })
        {
            client?.Dispose();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Override to change the server options of this class's hosts.</summary>
    protected virtual void ConfigureServer(EnvoyServerOptions options)
    {
    }

    /// <summary>Override to register more flows next to the sample flows.</summary>
    protected virtual void ConfigureFlows(EnvoyBuilder envoy)
    {
    }

    /// <summary>Override to change the scheduler settings.</summary>
    protected virtual void ConfigureScheduler(SchedulerConfig config)
    {
    }
}
