using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Rapport.Benchmarks -- --filter *Clv* --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
