using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

/// <summary>Prepared commands of one connection, reused across calls (one per SQL text).</summary>
internal sealed class SqliteCommands(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _cache = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    public SqliteCommand Get(string sql, SqliteTransaction? transaction)
    {
        if (!_cache.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
#pragma warning disable CA2100 // The SQL comes from SqliteSql constants only; values are always parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            _cache[sql] = command;
        }

        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _cache.Values)
        {
            command.Dispose();
        }

        _cache.Clear();
    }
}
