namespace Rapport.Core.Import;

public enum ImportKind
{
    Customers,
    Products,
    Orders,
}

/// <summary>How to read a file. Everything has a default that suits a plain CSV export.</summary>
public sealed record ImportOptions
{
    public char Delimiter { get; init; } = ',';

    /// <summary>An exact .NET date format; null means ISO 8601 (and the preset's own formats).</summary>
    public string? DateFormat { get; init; }

    /// <summary>target → source column (<c>--map</c>); an empty source turns the target off.</summary>
    public IReadOnlyDictionary<string, string> Map { get; init; } = new Dictionary<string, string>();

    /// <summary>A named layout (<see cref="ImportFormat"/>); null detects it from the header.</summary>
    public string? Format { get; init; }

    /// <summary>
    /// The channel of imported orders (when the file has no channel column) and of the identify
    /// events customer rows become; null means the preset's, else "store".
    /// </summary>
    public string? Channel { get; init; }

    /// <summary>Currency when the file has no currency column (ISO 4217 code).</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// Products first seen in an order file get unit cost = price × this ratio, flagged as
    /// assumed. Null leaves the cost unknown (the online-retail preset uses 0.6).
    /// </summary>
    public decimal? UnitCostRatio { get; init; }

    /// <summary>Where rejected rows go; created only if a row is rejected.</summary>
    public string? RejectFile { get; init; }

    /// <summary>Rows per transaction: about 10k keeps a batch under ~100 ms and memory flat.</summary>
    public int BatchSize { get; init; } = 10_000;

    /// <summary>The store's "source" for what this import writes.</summary>
    public string Source { get; init; } = "import";
}

/// <summary>Progress after each batch, for a progress bar or periodic lines.</summary>
public readonly record struct ImportProgress(long BytesRead, long TotalBytes, long RowsRead, long Rejected);

/// <summary>What an import did. Rows: read = imported + unchanged + rejected.</summary>
public sealed record ImportSummary
{
    public required ImportKind Kind { get; init; }

    public required string File { get; init; }

    public string? Format { get; init; }

    public long RowsRead { get; init; }

    public long Imported { get; init; }

    public long Unchanged { get; init; }

    public long Rejected { get; init; }

    public long CustomersCreated { get; init; }

    public long OrdersCreated { get; init; }

    public long ProductsCreated { get; init; }

    public long ProductsUpdated { get; init; }

    /// <summary>Σ quantity × unit price − discounts over the order lines this run imported (returns count negative).</summary>
    public decimal Revenue { get; init; }

    public string? RejectFile { get; init; }

    public TimeSpan Duration { get; init; }
}
