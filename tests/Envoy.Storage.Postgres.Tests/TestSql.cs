using Npgsql;

// The SQL is the tests' own constant text.
#pragma warning disable CA2100

namespace Envoy.Storage.Postgres.Tests;

/// <summary>Reads and changes a test database directly, on a connection of its own (outside any store's pool).</summary>
internal static class TestSql
{
    /// <summary>The first column of the first row <paramref name="sql"/> returns.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
