using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

/// <summary>Binding and reading helpers.</summary>
internal static class SqliteCommandExtensions
{
    public static SqliteCommand Bind(this SqliteCommand command, string name, object? value)
    {
        // One lookup by name (Contains and the name indexer would each search the parameters again).
        var index = command.Parameters.IndexOf(name);
        if (index >= 0)
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
