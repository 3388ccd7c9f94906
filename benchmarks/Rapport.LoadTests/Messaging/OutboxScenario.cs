using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Core.Events;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Rapport.Storage.Sqlite;

namespace Rapport.LoadTests.Messaging;

/// <summary>
/// The outbox's speed target (issue 5: at least 1,000 emails/s handed to a local SMTP server):
/// N customers with email addresses on a fresh SQLite store, N messages rendered from a template
/// and enqueued, then the real dispatcher (claims, suppression gate, MailKit over pooled
/// connections, outcomes and "Email Sent" timeline events in one transaction per round)
/// delivering all of them to a real SMTP server (aiosmtpd, tests/…/smtp_sink.py).
///   dotnet run -c Release --project benchmarks/Rapport.LoadTests -- outbox [messages] [connections]
/// </summary>
internal static class OutboxScenario
{
    public static async Task<int> RunAsync(string[] args)
    {
        var n = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var connections = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
        var dir = Path.Combine(Path.GetTempPath(), $"rapport-outbox-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        if (await SmtpSinkProcess.StartAsync(dir, SmtpSinkProcess.KindFrom(args)) is not { } smtp)
        {
            return 1;
        }

        var port = smtp.Port;

        try
        {
            await using var db = new SqliteDatabase(Path.Combine(dir, "outbox.db"));
            await SchemaMigrator.MigrateAsync(db);
            var smtpOptions = new SmtpOptions("127.0.0.1", port, "shop@rapport.test") { Connections = connections };
            var options = new MessagingOptions { PublicUrl = "http://localhost:5000", Smtp = smtpOptions, BatchSize = 500 };
            var services = new ServiceCollection().AddRapport(db, TimeProvider.System).AddMessaging(options);
            services.AddSingleton<IMessageTransport>(sp => new SmtpTransport(smtpOptions, sp.GetRequiredService<MessageLinks>()));
            await using var sp = services.BuildServiceProvider();

            Console.WriteLine($"Outbox scenario: {n:N0} customers and emails, {connections} SMTP connections, SQLite store in {dir}");
            var pipeline = sp.GetRequiredService<EventPipeline>();
            var identifies = Enumerable.Range(0, n).Select(i => new IncomingEvent(
                $"id-{i}", "identify", null, Channels.Web, $"u{i}", null, TimeProvider.System.GetUtcNow().AddDays(-1),
                new JsonObject { ["email"] = $"c{i}@example.com", ["firstName"] = $"C{i}", ["consent_email_marketing"] = true },
                new JsonObject { ["email"] = $"c{i}@example.com", ["firstName"] = $"C{i}", ["consent_email_marketing"] = true }, null)).ToList();
            foreach (var chunk in identifies.Chunk(5_000))
            {
                await pipeline.IngestAsync(chunk);
            }

            await sp.GetRequiredService<TemplateStore>().SaveAsync("news", "email", "News for {{customer.firstName}}",
                "Hello {{customer.firstName}},\nour news. Unsubscribe: {{links.unsubscribe}}",
                "<p>Hello {{customer.firstName}}</p><a href=\"https://shop.example/new\">New in</a>");
            var composer = sp.GetRequiredService<MessageComposer>();
            var outbox = sp.GetRequiredService<Outbox>();
            var writer = sp.GetRequiredService<StoreWriter>();

            var watch = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var composed = new List<OutgoingMessage>(n);
            for (var i = 0; i < n; i++)
            {
                composed.Add(await composer.ComposeAsync(i + 1, "news", MessagePurpose.Marketing, $"bench-{i}", null));
            }

            foreach (var chunk in composed.Chunk(1_000))
            {
                await writer.WriteAsync(async unit =>
                {
                    foreach (var m in chunk)
                    {
                        await outbox.EnqueueAsync(unit, m);
                    }

                    return 0;
                });
            }

            Report("render + enqueue", n, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);

            var dispatcher = sp.GetRequiredService<OutboxDispatcher>();
            var transport = sp.GetRequiredService<IMessageTransport>();
            watch.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sent = 0;
            while (await dispatcher.RunOnceAsync(transport) is var round and > 0)
            {
                sent += round;
            }

            Report("dispatch to SMTP", sent, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
            var received = smtp.Received;
            var dead = (await outbox.ListAsync(OutboxStatus.Dead, null, 10)).Count;
            Console.WriteLine($"SMTP server received {received:N0} messages; dead letters: {dead}");

            // The same messages straight through the transport, no outbox: what SMTP alone costs here.
            var raw = composed.Select((m, i) => new ClaimedMessage(i, m.Key, m.CustomerId, m.Channel, m.Purpose, m.Recipient, m.Subject, m.BodyText, m.BodyHtml, 1)).ToList();
            watch.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await transport.SendAllAsync(raw, default);
            Report("SMTP alone", raw.Count, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
            watch.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await AsyncSmtpBaseline.SendAllAsync(raw, "127.0.0.1", port, connections);
            Report("SMTP alone, async", raw.Count, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
            watch.Restart();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await transport.SendAllAsync(raw, default);
            Report("SMTP alone, again", raw.Count, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
            Console.WriteLine($"the SMTP server ({smtp.Name}) used {smtp.ProcessorTime.TotalSeconds:F2} s of CPU in all ({smtp.ProcessorTime.TotalMilliseconds * 1000 / (4.0 * n):F0} µs per message received)");
            return received >= n && dead == 0 ? 0 : 1;
        }
        finally
        {
            smtp.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Report(string what, int count, TimeSpan wall, TimeSpan cpu) =>
        Console.WriteLine($"{what,-18} {count,8:N0} in {wall.TotalSeconds,6:F2} s wall = {count / wall.TotalSeconds,8:N0}/s   CPU {cpu.TotalSeconds:F2} s ({cpu.TotalMilliseconds * 1000 / count:F0} µs each)");
}
