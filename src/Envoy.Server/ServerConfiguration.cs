using Envoy.AspNetCore;

namespace Envoy.Server;

/// <summary>
/// The ready server's configuration section <c>Envoy</c>: <c>Envoy:Sqlite</c>, <c>Envoy:Postgres</c> and <c>Envoy:Redis</c>
/// map onto <c>UseSqlite</c>, <c>UsePostgres</c> and <c>UseRedis</c>, <c>Envoy:Scheduler</c> onto <see cref="SchedulerConfig"/>,
/// and <c>Envoy:Server</c> is bound by <c>AddEnvoyServer</c>. <see cref="Problems"/> lists every problem before the host is built.
/// </summary>
internal static class ServerConfiguration
{
    /// <summary>The section everything lives in.</summary>
    public const string SectionName = "Envoy";

    /// <summary>The subsections <see cref="SectionName"/> may hold.</summary>
    public static readonly IReadOnlyList<string> Subsections = ["Sqlite", "Postgres", "Redis", "Scheduler", "Server", "Telemetry"];

    /// <summary>Applies the section to Envoy's registration: the store, the coordination and the scheduler settings.</summary>
    public static EnvoyBuilder Apply(EnvoyBuilder envoy, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        var section = configuration.GetSection(SectionName);
        envoy.Services.Configure<SchedulerConfig>(config => Bind(section.GetSection("Scheduler"), config));
        if (section.GetSection("Sqlite").Exists())
        {
            envoy.UseSqlite(sqlite => Bind(section.GetSection("Sqlite"), sqlite));
        }

        if (section.GetSection("Postgres").Exists())
        {
            envoy.UsePostgres(postgres => Bind(section.GetSection("Postgres"), postgres));
        }

        if (section.GetSection("Redis").Exists())
        {
            envoy.UseRedis(redis => Bind(section.GetSection("Redis"), redis));
        }

        return envoy;
    }

    /// <summary>Every problem of the section (unknown keys, values of the wrong type, invalid combinations), one line each.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var problems = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!Subsections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{child.Path} is not a setting (the section {SectionName} holds {string.Join(", ", Subsections)}).");
            }
        }

        var config = new SchedulerConfig();
        TryBind(section.GetSection("Scheduler"), config, problems);
        if (section.GetSection("Sqlite").Exists())
        {
            config.Sqlite = new SqliteConfig();
            TryBind(section.GetSection("Sqlite"), config.Sqlite, problems);
        }

        if (section.GetSection("Postgres").Exists())
        {
            config.Postgres = new PostgresConfig();
            TryBind(section.GetSection("Postgres"), config.Postgres, problems);
        }

        if (section.GetSection("Redis").Exists())
        {
            config.Redis = new RedisConfig();
            TryBind(section.GetSection("Redis"), config.Redis, problems);
        }

        problems.AddRange(config.Validate().Select(p => $"{SectionName}: {p}"));

        var server = new EnvoyServerOptions();
        TryBind(configuration.GetSection(EnvoyServerOptions.SectionName), server, problems);
        problems.AddRange(server.Validate());
        TryBind(configuration.GetSection(ServerTelemetryOptions.SectionName), new ServerTelemetryOptions(), problems);
        return problems;
    }

    /// <summary>Binds strictly: a key the target does not have is an error (a typo must not pass silently).</summary>
    private static void Bind(IConfiguration section, object target) => section.Bind(target, o => o.ErrorOnUnknownConfiguration = true);

    /// <summary>Binds each key of <paramref name="section"/> on its own, so that every unknown key and wrong value is reported.</summary>
    private static void TryBind(IConfigurationSection section, object target, List<string> problems)
    {
        var settings = target.GetType().GetProperties().Select(p => p.Name).ToList();
        foreach (var child in section.GetChildren())
        {
            if (!settings.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{child.Path} is not a setting (the section {section.Path} holds {string.Join(", ", settings)}).");
                continue;
            }

            var one = new ConfigurationBuilder()
                .AddInMemoryCollection(child.AsEnumerable().Select(kv => KeyValuePair.Create(kv.Key[(section.Path.Length + 1)..], kv.Value)))
                .Build();
            try
            {
                Bind(one, target);
            }
            catch (InvalidOperationException e)
            {
                problems.Add($"{child.Path}: {e.Message.Replace("at '", $"at '{section.Path}:", StringComparison.Ordinal)}");
            }
        }
    }
}
