using BenchmarkDotNet.Attributes;

namespace Envoy.Benchmarks;

/// <summary><see cref="StateContext.Serialize"/> and <see cref="StateContext.Deserialize(string)"/> of a ~1 KB context.</summary>
[MemoryDiagnoser]
public class SerializationBenchmarks
{
    private StateContext _ctx = null!;
    private string _json = null!;

    /// <summary>The serialized size, in bytes (printed in the setup so the table can be read against it).</summary>
    public int Size { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _ctx = ContextFactory.OneKilobyte();
        _json = _ctx.Serialize();
        Size = System.Text.Encoding.UTF8.GetByteCount(_json);
        Console.WriteLine($"// serialized context: {Size} bytes");
    }

    [Benchmark(Description = "Serialize (1 KB context)")]
    public string Serialize() => _ctx.Serialize();

    [Benchmark(Description = "Deserialize (1 KB context)")]
    public StateContext Deserialize() => StateContext.Deserialize(_json);

    [Benchmark(Description = "Clone (1 KB context)")]
    public StateContext Clone() => _ctx.Clone();
}
