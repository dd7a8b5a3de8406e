using BenchmarkDotNet.Attributes;

namespace Envoy.Benchmarks;

/// <summary>One <see cref="StateFlow.StepAsync"/> of a trivial state: the in-process hot path (target ≤ 2 µs, ≤ 1 KB).</summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private StateFlow _single = null!;
    private StateFlow _chain = null!;
    private StateContext _singleStart = null!;
    private StateContext _chainStart = null!;
    private StateContext _chainStartWithInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One state, no router: the step runs OnState and finishes the flow.
        _single = new StateFlow([new State("A") { OnState = ctx => Task.FromResult(ctx) }]);
        _singleStart = _single.NewContext();

        // A -> B: the step runs OnState, the router and the transition.
        _chain = new StateFlow(
        [
            new State("A") { OnState = ctx => Task.FromResult(ctx), Router = Router.Next("B") },
            new State("B") { OnState = ctx => Task.FromResult(ctx), Router = Router.End },
        ]);
        _chainStart = _chain.NewContext();
        _chainStartWithInput = _chain.NewContext(new { orderId = 42, customer = "ada", total = 9.5 });
    }

    [Benchmark(Description = "StepAsync: trivial state, finishes")]
    public Task<StateContext> TrivialStep() => _single.StepAsync(_singleStart);

    [Benchmark(Description = "StepAsync: A -> B transition")]
    public Task<StateContext> TransitionStep() => _chain.StepAsync(_chainStart);

    [Benchmark(Description = "StepAsync: A -> B, small object input")]
    public Task<StateContext> TransitionStepWithInput() => _chain.StepAsync(_chainStartWithInput);
}
