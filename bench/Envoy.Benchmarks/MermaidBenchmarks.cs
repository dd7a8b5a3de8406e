using BenchmarkDotNet.Attributes;

namespace Envoy.Benchmarks;

/// <summary><see cref="StateFlow.ToMermaid"/> of a 50-state flow with static and described routes.</summary>
[MemoryDiagnoser]
public class MermaidBenchmarks
{
    private StateFlow _flow = null!;

    [GlobalSetup]
    public void Setup()
    {
        const int count = 50;
        var states = new List<State>(count);
        for (var i = 0; i < count; i++)
        {
            var name = $"State{i}";
            Router router = i == count - 1
                ? Router.End
                : i % 2 == 0
                    ? Router.Next($"State{i + 1}")
                    : Router.Routes(
                        new Dictionary<string, Route>
                        {
                            [$"State{i + 1}"] = new() { Description = "next" },
                            [$"State{(i + 2) % count}"] = new() { Description = "skip one" },
                            ["State0"] = new() { Description = "start over" },
                        },
                        ctx => Task.FromResult<string?>(null));
            states.Add(new State(name) { OnState = ctx => Task.FromResult(ctx), Router = router });
        }

        _flow = new StateFlow(states);
    }

    [Benchmark(Description = "ToMermaid (50 states)")]
    public string ToMermaid() => _flow.ToMermaid();
}
