using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- --filter *Clv* --job short
// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- segments-scenario [customers] [events] [batches] [0,20]
if (args.Length > 0 && args[0] == "segments-scenario")
{
    await Rapport.Benchmarks.Segments.SegmentScenario.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
