using Rapport.LoadTests.Ingest;

// Load scenarios. Each starts the real `rapport serve` (built next to this tool) on a fresh store.
//   dotnet run -c Release --project benchmarks/Rapport.LoadTests -- ingest [options]
return args.FirstOrDefault() switch
{
    "ingest" => await IngestScenario.RunAsync(IngestOptions.Parse(args[1..])),
    "pipeline" => await PipelineScenario.RunAsync(IngestOptions.Parse(args[1..])),
    "outbox" => await Rapport.LoadTests.Messaging.OutboxScenario.RunAsync(args[1..]),
    "dashboard" => await Rapport.LoadTests.Dashboard.DashboardScenario.RunAsync(args[1..]),
    "journeys" => await Rapport.LoadTests.Journeys.JourneyScenario.RunAsync(args[1..]),
    "loyalty" => await Rapport.LoadTests.Loyalty.LoyaltyScenario.RunAsync(args[1..]),
    "decisions" => await Rapport.LoadTests.Decisions.DecisionScenario.RunAsync(args[1..]),
    "nbacpu" => await Rapport.LoadTests.Decisions.DecisionCpuScenario.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Rapport.LoadTests ingest|pipeline [--events N] [--customers N] [--batch N] [--senders N] [--dir PATH] [--keep]");
    Console.Error.WriteLine("  ingest   N track events through POST /v1/batch on loopback into a fresh SQLite store,");
    Console.Error.WriteLine("           then a raw SQLite bulk insert of the same rows; prints both rates and the ratio.");
    Console.Error.WriteLine("  dashboard [--customers N] [--runs N]: seed a store, time every dashboard page (docs/performance.md)");
    Console.Error.WriteLine("  loyalty [--rate 1000] [--seconds 20] [--customers 1000]: earn/redeem through the API at a fixed rate, latency percentiles");
    Console.Error.WriteLine("  loyalty and decisions use Harness/OpenLoopClient (latency from the scheduled send, Server-Timing split) and pin");
    Console.Error.WriteLine("           the server and the client to different cores: [--server-cpus 0] [--client-cpu 1] [--no-pin] [--connections N]");
    Console.Error.WriteLine("  decisions [--customers N] [--products N] [--events N] [--rate N] [--seconds N] [--mix nba,recs,health]: next best action and recommendations open-loop;");
    Console.Error.WriteLine("           prints the server's RSS, peak RSS and managed heap at each step; [--settle-max S] waits for start-up work, [--retrain [--retrains N]] retrains the recommender N times at the end");
    Console.Error.WriteLine("  nbacpu [--customers N] [--products N] [--events N] [--requests N] [--concurrency N] [--hot N]: CPU per next-best-action decision in process, without and with the facts cache (after decisions --seed-only)");
    Console.Error.WriteLine("  pipeline the same events parsed and written in this process without HTTP; CPU per event for each half.");
    Console.Error.WriteLine("       Rapport.LoadTests outbox [messages] [smtp connections] [--sink aiosmtpd|postfix]   emails rendered, queued and sent to a real SMTP server");
    Console.Error.WriteLine("       Rapport.LoadTests journeys [customers] [smtp connections] [overlap] [--sink aiosmtpd|postfix]   customers entering a journey at once, first email to SMTP");
    return 2;
}
