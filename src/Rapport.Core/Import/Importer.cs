using System.Diagnostics;
using System.Threading.Channels;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Storage;

namespace Rapport.Core.Import;

/// <summary>What <see cref="Importer.Inspect"/> found: the layout and which column feeds which field.</summary>
public sealed record ImportPreview(
    string Path,
    bool IsGzip,
    string? Format,
    IReadOnlyList<string> Header,
    IReadOnlyList<KeyValuePair<string, string>> Columns,
    IReadOnlyList<string> Traits);

/// <summary>A parsed row, or why it was refused.</summary>
public readonly record struct Parsed<T>(T? Row, string? Reject)
    where T : class
{
    public static implicit operator Parsed<T>(T row) => new(row, null);

    public static Parsed<T> Refuse(string reason) => new(null, reason);
}

/// <summary>Counts a run accumulates, batch by batch (a failed batch fails the run).</summary>
internal sealed class ImportTally
{
    public long Imported;
    public long Unchanged;
    public long CustomersCreated;
    public long OrdersCreated;
    public long ProductsCreated;
    public long ProductsUpdated;
    public long RevenueE4;
}

/// <summary>
/// One kind of import: a pure parser from CSV records to rows, and a writer that applies one
/// batch of rows in one transaction, de-duplicating against the keys already stored.
/// </summary>
internal abstract class RowImporter<TRow>
    where TRow : class
{
    public abstract Parsed<TRow> Parse(CsvRecord record);

    /// <summary>Whether a batch may end between these two rows (orders keep an order's lines together).</summary>
    public virtual bool CanCut(TRow previous, TRow next) => true;

    public abstract Task WriteBatchAsync(UnitOfWork unit, IReadOnlyList<TRow> rows, ImportTally tally, CancellationToken cancellationToken);

    /// <summary>Work after the last batch, in its own transaction (orders: the products they name).</summary>
    public virtual Task FinishAsync(StoreWriter writer, ImportTally tally, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Runs an import: opens the file, maps the header, streams records in batches of
/// <see cref="ImportOptions.BatchSize"/> rows (one transaction each, so a crash loses at most
/// the batch in flight and a re-run completes it), writes refused rows to the reject file.
/// Memory stays flat apart from one entry per order id and per SKU.
/// </summary>
public static class Importer
{
    /// <summary>
    /// Reads only the header: checks that the file can be imported (throws
    /// <see cref="ImportInputException"/> otherwise) and says how its columns will be read.
    /// Call it before opening a store so unusable input leaves nothing behind.
    /// </summary>
    public static ImportPreview Inspect(ImportKind kind, string path, ImportOptions options)
    {
        using var file = ImportFile.Open(path);
        var csv = new CsvReader(file.Reader, options.Delimiter);
        var (header, format, values, map) = ReadHeader(kind, path, csv, options);
        var columns = new List<KeyValuePair<string, string>>();
        var traits = new List<string>();
        Explain(() =>
        {
            switch (kind)
            {
                case ImportKind.Orders:
                    var orders = OrderLineParser.Create(header, map, options, format, values);
                    columns.AddRange(orders.Map.Columns.Select(c => new KeyValuePair<string, string>(c.Key, header[c.Value])));
                    break;
                case ImportKind.Products:
                    var products = ProductRowParser.Create(header, map, options);
                    columns.AddRange(products.Map.Columns.Select(c => new KeyValuePair<string, string>(c.Key, header[c.Value])));
                    break;
                default:
                    var customers = CustomerRowParser.Create(header, map);
                    columns.AddRange(customers.Identifiers.Select(c => new KeyValuePair<string, string>(c.Target, header[c.Index])));
                    traits.AddRange(customers.TraitNames);
                    break;
            }

            return 0;
        }, header, options);
        return new ImportPreview(path, file.IsGzip, format?.Name, header, columns, traits);
    }

    public static async Task<ImportSummary> RunAsync(
        StoreWriter writer,
        IdentityResolver resolver,
        EventWriter events,
        ImportKind kind,
        string path,
        ImportOptions options,
        IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        using var file = ImportFile.Open(path);
        var csv = new CsvReader(file.Reader, options.Delimiter);
        var (header, format, values, map) = ReadHeader(kind, path, csv, options);
        var (summary, tally) = kind switch
        {
            ImportKind.Orders => await RunAsync(
                Explain(() => new OrderImporter(OrderLineParser.Create(header, map, options, format, values), resolver, options, format), header, options),
                writer, file, csv, header.Length, options, path, progress, cancellationToken),
            ImportKind.Products => await RunAsync(
                Explain(() => new ProductImporter(ProductRowParser.Create(header, map, options)), header, options),
                writer, file, csv, header.Length, options, path, progress, cancellationToken),
            _ => await RunAsync(
                Explain(() => new CustomerImporter(CustomerRowParser.Create(header, map), events, options.Channel ?? Channels.Store, Path.GetFileName(path)), header, options),
                writer, file, csv, header.Length, options, path, progress, cancellationToken),
        };

        return summary with
        {
            Kind = kind,
            Format = format?.Name,
            Imported = tally.Imported,
            Unchanged = tally.Unchanged,
            CustomersCreated = tally.CustomersCreated,
            OrdersCreated = tally.OrdersCreated,
            ProductsCreated = tally.ProductsCreated,
            ProductsUpdated = tally.ProductsUpdated,
            Revenue = Money.FromStorage(tally.RevenueE4),
            Duration = stopwatch.Elapsed,
        };
    }

    private static (string[] Header, ImportFormat? Format, ValueParser Values, IReadOnlyDictionary<string, string> Map) ReadHeader(
        ImportKind kind, string path, CsvReader csv, ImportOptions options)
    {
        if (!csv.TryRead(out var headerRecord))
        {
            throw new ImportInputException($"{path} is empty: expected a header line with column names.");
        }

        var header = headerRecord.Fields.Select(h => h.Trim()).ToArray();
        var format = ResolveFormat(kind, header, options);
        var values = new ValueParser(options.DateFormat is { } df ? [df] : [.. ValueParser.IsoFormats, .. format?.DateFormats ?? []]);
        var map = format is null ? options.Map : Merge(format.Map, options.Map);
        return (header, format, values, map);
    }

    /// <summary>Adds a hint to mapping errors when the delimiter is the likely cause.</summary>
    private static T Explain<T>(Func<T> build, string[] header, ImportOptions options)
    {
        try
        {
            return build();
        }
        catch (ImportInputException e) when (header.Length == 1 && header[0].AsSpan().IndexOfAny(";\t|,") >= 0)
        {
            throw new ImportInputException(
                $"{e.Message} The header has a single column: if the file is not '{(options.Delimiter == '\t' ? "\\t" : options.Delimiter)}'-separated, set --delimiter.");
        }
    }

    private static async Task<(ImportSummary Summary, ImportTally Tally)> RunAsync<TRow>(
        RowImporter<TRow> importer,
        StoreWriter writer,
        ImportFile file,
        CsvReader csv,
        int fieldCount,
        ImportOptions options,
        string path,
        IProgress<ImportProgress>? progress,
        CancellationToken cancellationToken)
        where TRow : class
    {
        var tally = new ImportTally();
        using var rejects = new RejectFile(options.RejectFile ?? RejectFile.DefaultPathFor(path), options.Delimiter);
        rejects.ClearStale();

        // Reading (gunzip, CSV, parsing: ~20% of an orders import) runs on its own thread, one
        // batch ahead of the writer, so both cores work. Two batches in flight bound the memory.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var batches = Channel.CreateBounded<Batch<TRow>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        long read = 0;
        var reader = Task.Run(
            async () =>
            {
                try
                {
                    read = await ReadAsync(importer, csv, fieldCount, options.BatchSize, rejects, file, batches.Writer, stop.Token);
                    batches.Writer.Complete();
                }
                catch (Exception e)
                {
                    batches.Writer.Complete(e);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken))
            {
                await writer.WriteAsync(
                    async unit =>
                    {
                        await importer.WriteBatchAsync(unit, batch.Rows, tally, cancellationToken);
                        return 0;
                    },
                    cancellationToken);
                progress?.Report(new ImportProgress(batch.BytesRead, file.Length, batch.RowsRead, batch.Rejected));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await reader;
        }

        await importer.FinishAsync(writer, tally, cancellationToken);
        progress?.Report(new ImportProgress(file.Length, file.Length, read, rejects.Count));
        var summary = new ImportSummary
        {
            Kind = default,
            File = path,
            RowsRead = read,
            Rejected = rejects.Count,
            RejectFile = rejects.Count > 0 ? rejects.Path : null,
        };
        return (summary, tally);
    }

    /// <summary>Reads and parses the whole file into batches; refused rows go to the reject file. Returns the rows read.</summary>
    private static async Task<long> ReadAsync<TRow>(
        RowImporter<TRow> importer,
        CsvReader csv,
        int fieldCount,
        int batchSize,
        RejectFile rejects,
        ImportFile file,
        ChannelWriter<Batch<TRow>> batches,
        CancellationToken cancellationToken)
        where TRow : class
    {
        var batch = new List<TRow>(batchSize + 64);
        long read = 0;
        while (csv.TryRead(out var record))
        {
            read++;
            var parsed = record.Error is { } error ? Parsed<TRow>.Refuse(error)
                : record.Fields.Length != fieldCount ? Parsed<TRow>.Refuse($"expected {fieldCount} fields, found {record.Fields.Length}")
                : importer.Parse(record);
            if (parsed.Row is not { } row)
            {
                rejects.Add(record, parsed.Reject!);
                continue;
            }

            if (batch.Count >= batchSize && importer.CanCut(batch[^1], row))
            {
                await batches.WriteAsync(new Batch<TRow>(batch.ToArray(), file.Position, read - 1, rejects.Count), cancellationToken);
                batch.Clear();
            }

            batch.Add(row);
        }

        if (batch.Count > 0)
        {
            await batches.WriteAsync(new Batch<TRow>(batch.ToArray(), file.Position, read, rejects.Count), cancellationToken);
        }

        return read;
    }

    /// <summary>Rows for one transaction, with how far the reader had got when it cut them.</summary>
    private sealed record Batch<TRow>(TRow[] Rows, long BytesRead, long RowsRead, long Rejected);

    private static ImportFormat? ResolveFormat(ImportKind kind, IReadOnlyList<string> header, ImportOptions options)
    {
        if (options.Format is null or "" or "auto")
        {
            return ImportFormat.Detect(kind, header);
        }

        if (options.Format == "csv")
        {
            return null;
        }

        var format = ImportFormat.Find(options.Format)
            ?? throw new ImportInputException(
                $"Unknown --format '{options.Format}'. Formats: auto, csv, {string.Join(", ", ImportFormat.All.Select(f => f.Name))}.");
        return format.Kind == kind
            ? format
            : throw new ImportInputException($"--format {format.Name} is a layout for {format.Kind.ToString().ToLowerInvariant()}, not {kind.ToString().ToLowerInvariant()}.");
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> preset, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(preset, StringComparer.Ordinal);
        foreach (var (k, v) in overrides)
        {
            merged[k] = v;
        }

        return merged;
    }
}
