namespace Envoy.TestServers.Tests;

public sealed class PostgresServerLifetimeTests
{
    [Fact]
    public async Task StartWithAnotherDatabase_CreatesIt_AndDisposeStopsTheServerByPidAndDeletesItsFolder()
    {
        var server = await PostgresServer.StartAsync(new PostgresServerOptions { Database = "other_db" });
        Assert.Equal("other_db", await Sql.ScalarAsync<string>(server.ConnectionString, "select current_database()"));
        var pid = server.Pid;
        var folder = Path.GetDirectoryName(server.DataDirectory)!;
        Assert.True(Directory.Exists(folder));

        await server.DisposeAsync();

        Assert.False(Processes.IsAlive(pid));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Start_WithoutBinaries_SaysHowToInstallThem()
    {
        var options = new PostgresServerOptions { BinDirectory = "/nonexistent/postgresql/bin" };

        var error = await Assert.ThrowsAsync<TestServerException>(() => PostgresServer.StartAsync(options));

        Assert.Contains("apt-get install -y postgresql", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_WithSeveralErrors_ListsThemAll()
    {
        var options = new PostgresServerOptions { Database = "no spaces", MaxConnections = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Database", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConnections", error.Message, StringComparison.Ordinal);
    }
}
