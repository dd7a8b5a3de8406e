namespace Envoy;

/// <summary>
/// Everything <c>Scheduler.InitAsync</c> and <c>services.AddEnvoy()</c> need: the runtime settings of
/// <see cref="SchedulerOptions"/> and the store (none = the embedded SQLite default): <see cref="Sqlite"/> or
/// <see cref="Postgres"/>, with <see cref="Redis"/> next to PostgreSQL. Bound from the configuration sections
/// <c>Envoy:Scheduler</c>, <c>Envoy:Sqlite</c>, <c>Envoy:Postgres</c> and <c>Envoy:Redis</c> by the server. Validated once at
/// start with every error listed (the store's settings included), and deep-copied when captured.
/// </summary>
public sealed class SchedulerConfig : SchedulerOptions
{
    /// <summary>The embedded SQLite store (the default when neither it nor <see cref="Postgres"/> is set).</summary>
    public SqliteConfig? Sqlite { get; set; }

    /// <summary>The PostgreSQL store.</summary>
    public PostgresConfig? Postgres { get; set; }

    /// <summary>Redis coordination (with <see cref="Postgres"/>).</summary>
    public RedisConfig? Redis { get; set; }

    /// <summary>Every problem with this configuration (empty when valid): the runtime settings', then the store's.</summary>
    public override IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(base.Validate());
        if (Sqlite is not null && Postgres is not null)
        {
            errors.Add("Choose one store: Sqlite or Postgres, not both.");
        }

        if (Redis is not null && Postgres is null)
        {
            errors.Add("Redis coordinates PostgreSQL stores; set Postgres too (the SQLite store coordinates in-process).");
        }

        errors.AddRange(Sqlite?.Validate() ?? []);
        errors.AddRange(Postgres?.Validate() ?? []);
        errors.AddRange(Redis?.Validate() ?? []);
        return errors;
    }

    /// <summary>A deep copy: the store settings are copied too, so that no later change of the caller's reaches a scheduler.</summary>
    public override SchedulerConfig Clone()
    {
        var copy = (SchedulerConfig)base.Clone();
        copy.Sqlite = Sqlite?.Clone();
        copy.Postgres = Postgres?.Clone();
        copy.Redis = Redis?.Clone();
        return copy;
    }
}
