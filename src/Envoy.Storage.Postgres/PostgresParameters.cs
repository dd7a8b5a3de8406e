using Npgsql;

namespace Envoy.Storage.Postgres;

/// <summary>Builds commands with typed positional parameters (so nulls carry a type).</summary>
internal static class PostgresParameters
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? tx, params NpgsqlParameter[] parameters)
    {
#pragma warning disable CA2100 // SQL comes from PostgresSql constants only; every value is a parameter.
        var command = new NpgsqlCommand(sql, connection, tx);
#pragma warning restore CA2100
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static NpgsqlParameter P<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>A nullable <c>smallint</c> column (the row is in memory: no wait).</summary>
    public static short? GetNullableInt16(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt16(ordinal);
}
