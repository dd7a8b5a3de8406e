using System.Globalization;
using Npgsql;

namespace Envoy.TestServers.Tests;

/// <summary>One server for the class; every test leaves it running, so the order xunit picks does not matter.</summary>
public sealed class PostgresServerTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private PostgresServer Server => fixture.Server;

    [Fact]
    public async Task Start_ListensOnLoopbackWithDurableSettings_AndAnswersSelectOne()
    {
        Assert.Equal("127.0.0.1", Server.Host);
        Assert.Equal($"Host=127.0.0.1;Port={Server.Port};Username=postgres;Database=envoy", Server.ConnectionString);
        Assert.Equal(1, await Sql.ScalarAsync<int>(Server.ConnectionString, "select 1"));
        Assert.Equal("on", await Sql.ScalarAsync<string>(Server.ConnectionString, "show fsync"));
        Assert.Equal("on", await Sql.ScalarAsync<string>(Server.ConnectionString, "show synchronous_commit"));
        Assert.Equal("100", await Sql.ScalarAsync<string>(Server.ConnectionString, "show max_connections"));
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(Server.ConnectionString, "show listen_addresses"));
        Assert.Equal("syncfs", await Sql.ScalarAsync<string>(Server.ConnectionString, "show recovery_init_sync_method"));
        var postmasterPid = (await File.ReadAllLinesAsync(Path.Combine(Server.DataDirectory, "postmaster.pid")))[0];
        Assert.Equal(Server.Pid.ToString(CultureInfo.InvariantCulture), postmasterPid);
    }

    [Fact]
    public async Task CreateFreshDatabase_GivesEachCallAnEmptyDatabaseOfItsOwn()
    {
        var first = await fixture.CreateFreshDatabaseAsync();
        var second = await fixture.CreateFreshDatabaseAsync();

        Assert.NotEqual(first, second);
        await Sql.ExecuteAsync(first, "create table only_in_first (id int)");
        Assert.Equal(1L, await Sql.ScalarAsync<long>(first, "select count(*) from pg_tables where tablename = 'only_in_first'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(second, "select count(*) from pg_tables where tablename = 'only_in_first'"));
    }

    [Fact]
    public async Task Restart_KeepsPortAndData_TerminatesOpenSessions_AndAcceptsConnectionsAgain()
    {
        var database = await fixture.CreateFreshDatabaseAsync();
        await Sql.ExecuteAsync(database, "create table kept (value text); insert into kept values ('before restart')");
        var port = Server.Port;
        var pidBefore = Server.Pid;
        await using var open = new NpgsqlConnection(Sql.Unpooled(database));
        await open.OpenAsync();

        await Server.RestartAsync();

        Assert.Equal(port, Server.Port);
        Assert.NotEqual(pidBefore, Server.Pid);
        Assert.False(Processes.IsAlive(pidBefore));
        await using (var command = new NpgsqlCommand("select 1", open))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => command.ExecuteScalarAsync());
        }

        Assert.Equal("before restart", await Sql.ScalarAsync<string>(database, "select value from kept"));
    }

    [Fact]
    public async Task Stop_RefusesConnections_UntilStartedAgainOnTheSamePort()
    {
        var port = Server.Port;

        await Server.StopAsync();

        Assert.False(Server.IsRunning);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(Server.ConnectionString, "select 1"));

        await Server.StartAgainAsync();

        Assert.Equal(port, Server.Port);
        Assert.Equal(1, await Sql.ScalarAsync<int>(Server.ConnectionString, "select 1"));
    }

    [Fact]
    public async Task Kill_LeavesNoServerProcess_AndStartAgainRecoversCommittedRows()
    {
        var database = await fixture.CreateFreshDatabaseAsync();
        await Sql.ExecuteAsync(database, "create table committed (id int); insert into committed select generate_series(1, 1000)");
        var pid = Server.Pid;

        await Server.KillAsync();

        Assert.False(Server.IsRunning);
        Assert.False(Processes.IsAlive(pid));
        Assert.Throws<InvalidOperationException>(() => Server.Pid);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Sql.ScalarAsync<int>(database, "select 1"));

        await Server.StartAgainAsync();

        Assert.Equal(1000L, await Sql.ScalarAsync<long>(database, "select count(*) from committed"));
    }
}
