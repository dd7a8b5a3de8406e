using System.Globalization;

namespace Envoy.ApiBench;

/// <summary>The command line: <c>--store sqlite|postgres --n N --clients C --warmup W --rounds R</c>.</summary>
internal sealed record BenchOptions(string Store, int Jobs, int Clients, int Warmup, int Rounds)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions("sqlite", 5000, 8, 500, 2);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--store" when value is "sqlite" or "postgres" => options with { Store = value },
                "--n" => options with { Jobs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option or value: {args[i]} {value}. Options: --store sqlite|postgres --n N --clients C --warmup W --rounds R"),
            };
        }

        return options;
    }
}
