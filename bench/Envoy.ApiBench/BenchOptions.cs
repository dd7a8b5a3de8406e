using System.Globalization;

namespace Envoy.ApiBench;

/// <summary>
/// The command line. <c>--mode schedule</c> (default): <c>--store sqlite|postgres --n N --clients C --warmup W --rounds R</c>.
/// <c>--mode list</c>: <c>--jobs J --calls K</c> (a throwaway PostgreSQL seeded with J jobs; K timed requests per route).
/// <c>--mode dashboard</c>: the same, for the dashboard's overview and jobs list, and the overview's first-load bytes.
/// </summary>
internal sealed record BenchOptions(string Mode, string Store, int Jobs, int Clients, int Warmup, int Rounds, int SeedJobs, int Calls)
{
    private const string Usage =
        "Options: [--mode schedule] --store sqlite|postgres --n N --clients C --warmup W --rounds R | --mode list|dashboard --jobs J --calls K";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions("schedule", "sqlite", 5000, 8, 500, 2, 1_000_000, 200);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--mode" when value is "schedule" or "list" or "dashboard" => options with { Mode = value },
                "--store" when value is "sqlite" or "postgres" => options with { Store = value },
                "--n" => options with { Jobs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--jobs" => options with { SeedJobs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--calls" => options with { Calls = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option or value: {args[i]} {value}. {Usage}"),
            };
        }

        return options;
    }
}
