using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Envoy.Benchmarks -- --filter '*'            (add --job short for a quick run)
BenchmarkSwitcher.FromAssembly(typeof(Envoy.Benchmarks.StepBenchmarks).Assembly).Run(args);
