using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Events;
using Rapport.Core.Journeys;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

using Rapport.LoadTests.Messaging;

namespace Rapport.LoadTests.Journeys;

/// <summary>
/// The journey engine's speed target (issue 5: 100,000 customers entering a journey at once are
/// all processed, waits scheduled and the first step sent to the SMTP server, within 60 s):
/// N customers with email addresses on a fresh SQLite store, an active journey "send a welcome,
/// wait 3 days, send a follow-up" triggered by "Signed Up"; then N "Signed Up" events at once,
/// and the clock runs from their ingest to the last welcome accepted by a real SMTP server
/// (aiosmtpd): ingest, feed (enrolments), runner (first step composed and enqueued, wait
/// scheduled), outbox dispatch. Everything in this process, as `rapport serve` runs it.
///   dotnet run -c Release --project benchmarks/Rapport.LoadTests -- journeys [customers] [smtp connections] [overlap] [--sink aiosmtpd|postfix]
/// </summary>
internal static class JourneyScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        // "overlap": the dispatcher runs alongside the feed and the runner, as the hosted services do in `rapport serve`.
        var overlap = args.Length > 2 && args[2] == "overlap";
        var dir = Path.Combine(Path.GetTempPath(), $"rapport-journeys-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        if (await SmtpSinkProcess.StartAsync(dir, SmtpSinkProcess.KindFrom(args)) is not { } smtp)
        {
            return 1;
        }

        var port = smtp.Port;

        try
        {
            await using var db = new SqliteDatabase(Path.Combine(dir, "journeys.db"));
            await SchemaMigrator.MigrateAsync(db);
            var smtpOptions = new SmtpOptions("127.0.0.1", port, "shop@rapport.test") { Connections = connections };
            var options = new MessagingOptions { PublicUrl = "http://localhost:5000", Smtp = smtpOptions, BatchSize = 500 };
            var services = new ServiceCollection().AddLogging().AddRapport(db, TimeProvider.System).AddMessaging(options);
            services.AddSingleton<IMessageTransport>(sp => new SmtpTransport(smtpOptions, sp.GetRequiredService<MessageLinks>()));
            await using var sp = services.BuildServiceProvider();

            Console.WriteLine($"Journey scenario: {n:N0} customers entering at once, {connections} SMTP connections, SQLite store in {dir}");
            var pipeline = sp.GetRequiredService<EventPipeline>();
            var traits = (int i) => new JsonObject { ["email"] = $"c{i}@example.com", ["firstName"] = $"C{i}", ["consent_email_marketing"] = true };
            foreach (var chunk in Enumerable.Range(0, n).Chunk(5_000))
            {
                await pipeline.IngestAsync(chunk.Select(i => new IncomingEvent(
                    $"id-{i}", "identify", null, Channels.Web, $"u{i}", null, TimeProvider.System.GetUtcNow().AddDays(-1), traits(i), traits(i), null)).ToList());
            }

            var templates = sp.GetRequiredService<TemplateStore>();
            await templates.SaveAsync("welcome", "email", "Welcome, {{customer.firstName}}", "Hello {{customer.firstName}}. Unsubscribe: {{links.unsubscribe}}", null);
            await templates.SaveAsync("follow-up", "email", "How is it going?", "Hello again. Unsubscribe: {{links.unsubscribe}}", null);
            await sp.GetRequiredService<JourneyStore>().CreateAsync((JsonObject)JsonNode.Parse("""
                {"name": "Welcome", "trigger": {"event": "Signed Up"}, "controlGroup": 0.1, "steps": [
                  {"id": "welcome", "type": "send", "template": "welcome"},
                  {"id": "wait", "type": "wait", "duration": "3d"},
                  {"id": "follow-up", "type": "send", "template": "follow-up"}]}
                """)!, JourneyStatus.Active);

            var engine = sp.GetRequiredService<JourneyEngine>();
            var feed = sp.GetRequiredService<JourneyFeed>();
            var outbox = sp.GetRequiredService<Outbox>();
            var dispatcher = sp.GetRequiredService<OutboxDispatcher>();
            var transport = sp.GetRequiredService<IMessageTransport>();
            var total = Stopwatch.StartNew();
            var watch = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var chunk in Enumerable.Range(0, n).Chunk(5_000))
            {
                await pipeline.IngestAsync(chunk.Select(i => new IncomingEvent(
                    $"signup-{i}", "track", "Signed Up", Channels.Web, $"u{i}", null, TimeProvider.System.GetUtcNow(), [], null, null)).ToList());
            }

            Report("ingest trigger events", n, ref watch, ref cpu);
            var sent = 0;
            var runnerDone = false;
            var sending = overlap ? Task.Run(async () =>
            {
                while (true)
                {
                    var finished = Volatile.Read(ref runnerDone);
                    var round = await dispatcher.RunOnceAsync(transport);
                    sent += round;
                    if (round == 0 && finished)
                    {
                        return;
                    }

                    if (round == 0)
                    {
                        await Task.Delay(20);
                    }
                }
            }) : Task.CompletedTask;
            var enrolled = await feed.RunAsync();
            Report("feed: enrol", enrolled, ref watch, ref cpu);
            var moved = await engine.Runner.RunDueAsync();
            Volatile.Write(ref runnerDone, true);
            Report(overlap ? "runner (outbox sending too)" : "runner: first step + wait", moved, ref watch, ref cpu);
            await sending;
            while (await dispatcher.RunOnceAsync(transport) is var round and > 0)
            {
                sent += round;
            }

            Report(overlap ? "outbox: rest to SMTP" : "outbox: to SMTP", sent, ref watch, ref cpu);
            var received = smtp.Received;
            Console.WriteLine($"total from the first trigger event to the last email: {total.Elapsed.TotalSeconds:F1} s (target: 60 s for 100,000)");
            var queued = (await outbox.ListAsync(null, null, 1)).Count;
            Console.WriteLine($"the SMTP server ({smtp.Name}) used {smtp.ProcessorTime.TotalSeconds:F2} s of CPU ({smtp.ProcessorTime.TotalMilliseconds * 1000 / Math.Max(received, 1):F0} µs per email); load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine($"enrolled {enrolled:N0}, moved {moved:N0}, emails received by SMTP {received:N0} (the 10% control group gets none); outbox rows > 0: {queued > 0}");
            return received > 0 && moved == enrolled ? 0 : 1;
        }
        finally
        {
            smtp.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Report(string what, int count, ref Stopwatch watch, ref TimeSpan cpu)
    {
        var now = Process.GetCurrentProcess().TotalProcessorTime;
        Console.WriteLine($"{what,-26} {count,8:N0} in {watch.Elapsed.TotalSeconds,6:F2} s wall = {count / Math.Max(watch.Elapsed.TotalSeconds, 1e-9),8:N0}/s   CPU {(now - cpu).TotalSeconds:F2} s ({(now - cpu).TotalMilliseconds * 1000 / Math.Max(count, 1):F0} µs each)");
        watch.Restart();
        cpu = now;
    }
}
