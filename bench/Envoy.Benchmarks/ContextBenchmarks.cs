using BenchmarkDotNet.Attributes;

namespace Envoy.Benchmarks;

/// <summary>The context's typed accessors: <c>Set</c>, <c>Get</c> and <c>Output</c>.</summary>
[MemoryDiagnoser]
public class ContextBenchmarks
{
    private StateContext _ctx = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ctx = new StateContext("A");
        _ctx.Set("count", 1).Set("order.id", 42).Output("hello");
    }

    [Benchmark(Description = "Set(key, int)")]
    public StateContext SetInt() => _ctx.Set("count", 7);

    [Benchmark(Description = "Get<int>(key)")]
    public int GetInt() => _ctx.Get<int>("count");

    [Benchmark(Description = "Set + Get<int> of a dotted path")]
    public int SetGetPath() => _ctx.Set("order.id", 42).Get<int>("order.id");

    [Benchmark(Description = "Output(string) + Output<string>()")]
    public string? OutputString() => _ctx.Output("hello").Output<string>();

    [Benchmark(Description = "Output(record) + Output<record>()")]
    public Point? OutputRecord() => _ctx.Output(new Point(3, 4)).Output<Point>();
}

public sealed record Point(int X, int Y);
