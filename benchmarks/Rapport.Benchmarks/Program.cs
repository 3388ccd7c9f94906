using BenchmarkDotNet.Running;
using Rapport.Benchmarks.Value;

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- --filter *Clv* --job short
// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- segments-scenario [customers] [events] [batches] [0,20]
if (args.Length > 0 && args[0] == "segments-scenario")
{
    await Rapport.Benchmarks.Segments.SegmentScenario.RunAsync(args);
    return 0;
}

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- value-scenario   (a load scenario on a real store)
if (args.Length > 0 && args[0] == "value-scenario")
{
    return await ValueScenario.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- needs-scenario [--customers 100000] [--store S]
if (args.Length > 0 && args[0] == "needs-scenario")
{
    return await Rapport.Benchmarks.Needs.NeedsScenario.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- recompute-scenario [--customers 50000] [--store sqlite:PATH] [--reset]   (value + needs + 20 segments on a kept store)
if (args.Length > 0 && args[0] == "recompute-scenario")
{
    return await Rapport.Benchmarks.Recompute.RecomputeScenario.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- preview-scenario --store PATH [--text T] [--runs 5]   (the sampled segment preview, step by step)
if (args.Length > 0 && args[0] == "preview-scenario")
{
    return await Rapport.Benchmarks.Segments.PreviewScenario.RunAsync(args[1..]);
}

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- loyalty-expiry-scenario [--lots N] [--store S]
if (args.Length > 0 && args[0] == "loyalty-expiry-scenario")
{
    return await Rapport.Benchmarks.Loyalty.LoyaltyExpiryScenario.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
