using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Import;
using Rapport.Core.Storage;
using Rapport.Hosting;
using Spectre.Console;

namespace Rapport.Cli;

/// <summary>
/// <c>rapport import customers|products|orders FILE</c>: CSV or gzipped CSV into the store.
/// Exit codes: 0 imported (some rows may have been rejected: see the reject file), 2 the input
/// cannot be used at all (one line says why and how to fix it).
/// </summary>
internal static class ImportCommands
{
    public const int UnusableInput = 2;

    public static Command Create()
    {
        var import = new Command("import", "Import customers, products or orders from a CSV file (plain or gzipped)");
        import.Subcommands.Add(Kind(ImportKind.Customers, "customers",
            "Customers: identifiers (email, phone, customer_no, loyalty_card, user_id) and every other column as a trait"));
        import.Subcommands.Add(Kind(ImportKind.Products, "products",
            "Products: sku, name, category, price, unit_cost, currency, available"));
        import.Subcommands.Add(Kind(ImportKind.Orders, "orders",
            "Order lines: order_id, sku, quantity, unit_price, placed_at, customer identifier, description, country, currency, channel, kind, discount. " +
            "The UCI Online Retail layout is recognised (--format online-retail)"));
        return import;
    }

    private static Command Kind(ImportKind kind, string name, string description)
    {
        var file = new Argument<string>("FILE") { Description = "CSV file, optionally gzipped (detected from its content)" };
        var store = CliOptions.Store();
        var map = new Option<string[]>("--map")
        {
            Description = "target=SourceColumn, repeatable; target= (empty) ignores a column that would be picked up by name",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var delimiter = new Option<string>("--delimiter") { Description = "Field separator: , ; | or tab", DefaultValueFactory = _ => "," };
        var dateFormat = new Option<string?>("--date-format") { Description = ".NET date format of date columns, e.g. dd/MM/yyyy HH:mm (default: ISO 8601)" };
        var rejectFile = new Option<string?>("--reject-file") { Description = "Where to list rejected rows (default: ./<file>.rejects.csv)" };
        var format = new Option<string?>("--format") { Description = "File layout: auto (default), csv, online-retail" };
        var currency = new Option<string?>("--currency") { Description = "Currency when the file has no currency column (ISO 4217, e.g. GBP)" };
        var channel = new Option<string?>("--channel")
        {
            Description = "Channel of the orders (when the file has no channel column) or of the customer records: web, app, store, phone, email, chat " +
                          "(default: store; web for online-retail)",
        };
        var costRatio = new Option<decimal?>("--unit-cost-ratio")
        {
            Description = "Assume unit cost = price × ratio for products created from orders (online-retail: 0.6)",
        };

        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Rows per transaction (default 10000): bigger is a little faster, smaller holds the store's write lock for less time",
            DefaultValueFactory = _ => 10_000,
        };
        var command = new Command(name, description) { file, store, map, delimiter, dateFormat, rejectFile, format, currency, batchSize };
        if (kind != ImportKind.Products)
        {
            command.Options.Add(channel);
        }

        if (kind == ImportKind.Orders)
        {
            command.Options.Add(costRatio);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var path = parse.GetValue(file)!;
                var options = new ImportOptions
                {
                    Delimiter = ParseDelimiter(parse.GetValue(delimiter)!),
                    DateFormat = parse.GetValue(dateFormat),
                    Map = ParseMap(parse.GetValue(map) ?? []),
                    Format = parse.GetValue(format),
                    Currency = parse.GetValue(currency),
                    Channel = kind == ImportKind.Products ? null : CheckChannel(parse.GetValue(channel)),
                    UnitCostRatio = kind == ImportKind.Orders ? CheckRatio(parse.GetValue(costRatio)) : null,
                    RejectFile = parse.GetValue(rejectFile),
                    BatchSize = parse.GetValue(batchSize) is > 0 and var size
                        ? size
                        : throw new ImportInputException("--batch-size: give a positive number of rows, e.g. 10000."),
                };
                return await RunAsync(kind, path, parse.GetValue(store), options, output, error, cancellationToken);
            }
            catch (ImportInputException e)
            {
                await error.WriteLineAsync($"rapport import {name}: {e.Message}");
                return UnusableInput;
            }
            catch (InvalidDataException e)
            {
                // Damaged gzip data. Batches committed before the damage stay; a re-run skips them.
                await error.WriteLineAsync(
                    $"rapport import {name}: {parse.GetValue(file)} is damaged ({e.Message}). Fix or re-download it and run again: rows already stored are skipped.");
                return UnusableInput;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(
        ImportKind kind, string path, string? store, ImportOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var preview = Importer.Inspect(kind, path, options);
        var what = kind.ToString().ToLowerInvariant();
        await output.WriteLineAsync(
            $"Reading {path}{(preview.IsGzip ? " (gzip)" : "")}{(preview.Format is { } f ? $" as {f}" : "")}: " +
            string.Join(", ", preview.Columns.Select(c => $"{c.Key}={c.Value}")) +
            (preview.Traits.Count > 0 ? $"; traits: {string.Join(", ", preview.Traits)}" : ""));

        // The same object graph as the server: identity cache, projections, rebuild-before-commit.
        await using var database = await StoreFactory.OpenMigratedAsync(store, cancellationToken);
        await using var services = new ServiceCollection().AddRapport(database, TimeProvider.System).BuildServiceProvider();
        var writer = services.GetRequiredService<StoreWriter>();
        var resolver = services.GetRequiredService<IdentityResolver>();
        var events = services.GetRequiredService<EventWriter>();

        ImportSummary summary;
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            summary = await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"{what}: 0 rows", maxValue: Math.Max(1, new FileInfo(path).Length));
                    var progress = new SyncProgress(p =>
                    {
                        task.Value = Math.Min(p.BytesRead, task.MaxValue);
                        task.Description = $"{what}: {p.RowsRead:N0} rows" + (p.Rejected > 0 ? $", {p.Rejected:N0} rejected" : "");
                    });
                    return await Importer.RunAsync(writer, resolver, events, kind, path, options, progress, cancellationToken);
                });
        }
        else
        {
            summary = await Importer.RunAsync(writer, resolver, events, kind, path, options, PlainProgress(what, error), cancellationToken);
        }

        await output.WriteAsync(FormatSummary(summary, database.DisplayName));
        return 0;
    }

    /// <summary>One line every two seconds when nobody watches a terminal (CI logs, redirected output).</summary>
    internal static IProgress<ImportProgress> PlainProgress(string what, TextWriter error)
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        return new SyncProgress(p =>
        {
            if (clock.Elapsed - last < TimeSpan.FromSeconds(2))
            {
                return;
            }

            last = clock.Elapsed;
            var percent = p.TotalBytes > 0 ? 100.0 * p.BytesRead / p.TotalBytes : 0;
            error.WriteLine($"import {what}: {percent:0}% ({p.RowsRead:N0} rows, {p.Rejected:N0} rejected, {clock.Elapsed.TotalSeconds:0} s)");
        });
    }

    internal static string FormatSummary(ImportSummary s, string store)
    {
        var what = s.Kind.ToString().ToLowerInvariant();
        var lines = new List<(string Label, string Value)>
        {
            ("rows read", N(s.RowsRead)),
            ("imported", N(s.Imported)),
            ("unchanged (already there)", N(s.Unchanged)),
            ("rejected", N(s.Rejected)),
        };
        if (s.Kind != ImportKind.Products)
        {
            lines.Add(("customers created", N(s.CustomersCreated)));
        }

        if (s.Kind == ImportKind.Orders)
        {
            lines.Add(("orders created", N(s.OrdersCreated)));
        }

        if (s.Kind != ImportKind.Customers)
        {
            lines.Add(("products created", N(s.ProductsCreated)));
            lines.Add(("products updated", N(s.ProductsUpdated)));
        }

        if (s.Kind == ImportKind.Orders)
        {
            lines.Add(("revenue total", s.Revenue.ToString("N2", CultureInfo.InvariantCulture)));
        }

        lines.Add(("duration", $"{s.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"));
        var width = lines.Max(l => l.Label.Length) + 2;
        var valueWidth = lines.Max(l => l.Value.Length);
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Imported {what} from {s.File} into {store}\n");
        foreach (var (label, value) in lines)
        {
            text.Append("  ").Append(label.PadRight(width)).Append(value.PadLeft(valueWidth)).Append('\n');
        }

        if (s.Rejected > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{N(s.Rejected)} rows rejected: see {s.RejectFile}\n");
        }

        return text.ToString();

        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    }

    private static string? CheckChannel(string? channel) =>
        channel is null || Channels.IsKnown(channel.ToLowerInvariant())
            ? channel?.ToLowerInvariant()
            : throw new ImportInputException($"--channel {channel}: use one of {string.Join(", ", Channels.All)}.");

    internal static char ParseDelimiter(string text) => text switch
    {
        "tab" or "\\t" or "\t" => '\t',
        _ when text.Length == 1 => text[0],
        _ => throw new ImportInputException($"--delimiter '{text}': use one character such as , ; | or the word tab."),
    };

    internal static Dictionary<string, string> ParseMap(IEnumerable<string> items)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ImportInputException($"--map {item}: write target=SourceColumn, e.g. --map sku=StockCode.");
            }

            map[item[..eq].Trim().ToLowerInvariant()] = item[(eq + 1)..].Trim();
        }

        return map;
    }

    private static decimal? CheckRatio(decimal? ratio) =>
        ratio is null or (>= 0m and <= 10m)
            ? ratio
            : throw new ImportInputException($"--unit-cost-ratio {ratio}: use a ratio of the price such as 0.6.");

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool and reorder lines.</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
