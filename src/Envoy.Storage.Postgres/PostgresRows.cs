using System.Text.Json;
using System.Text.Json.Nodes;
using Envoy.Runtime;
using Npgsql;

namespace Envoy.Storage.Postgres;

/// <summary>Reads rows in the column order of <see cref="PostgresSql"/>.</summary>
internal static class PostgresRows
{
    public static JobRecord ReadJob(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Flow = reader.GetString(1),
        Status = (JobStatus)reader.GetInt16(2),
        ContextJson = reader.GetString(3),
        Priority = reader.GetInt32(4),
        RunAtMs = reader.GetInt64(5),
        CreatedAtMs = reader.GetInt64(6),
        UpdatedAtMs = reader.GetInt64(7),
        StartedAtMs = reader.GetNullableInt64(8),
        FinishedAtMs = reader.GetNullableInt64(9),
        Error = reader.GetNullableString(10),
        ParentId = reader.GetNullableString(11),
        Retries = reader.GetInt32(12),
        Attempts = reader.GetInt32(13),
        IdempotencyKey = reader.GetNullableString(14),
        Version = reader.GetInt64(15),
    };

    public static JobEvent ReadEvent(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        (JobEventKind)reader.GetInt16(2),
        reader.GetNullableString(3),
        reader.IsDBNull(4) ? null : reader.GetInt32(4),
        reader.IsDBNull(5) ? null : (JobStatus)reader.GetInt16(5),
        reader.IsDBNull(6) ? null : (JobStatus)reader.GetInt16(6),
        reader.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(reader.GetDouble(7)),
        reader.GetNullableString(8));

    public static Escalation ReadEscalation(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        JsonSerializer.Deserialize<List<EscalationInput>>(reader.GetString(5), EnvoyJson.Options) ?? [],
        (EscalationStatus)reader.GetInt16(6),
        reader.IsDBNull(7) ? null : JsonNode.Parse(reader.GetString(7)),
        reader.GetNullableString(8),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
        reader.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)));
}
