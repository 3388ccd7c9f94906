using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Clv;
using Rapport.Engine.Value;

namespace Rapport.Core.Value;

/// <summary>
/// Fits the CLV models on every customer's sales in the store and writes a new version: a
/// clv_models row and, when the fit converged, one customer_predictions row per customer (bulk
/// insert), percentiles of CLV included. Too few repeat buyers, no convergence or an unusable
/// spend model give a 'failed' row with the reason, never numbers. One fit at a time per process.
/// </summary>
public sealed class ClvRefit(StoreWriter writer, ValueOptions options)
{
    public const string Fitted = "fitted";
    public const string Failed = "failed";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Fits unless a fit is already running in this process (then null, at once).</summary>
    public async Task<ClvFitOutcome?> TryFitAsync(ClvFitRequest request, Action<string>? log = null, CancellationToken ct = default)
    {
        if (!await _running.WaitAsync(0, ct))
        {
            return null;
        }

        try
        {
            return await RunAsync(request, log, ct);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>Fits, waiting for a running fit to finish first.</summary>
    public async Task<ClvFitOutcome> FitAsync(ClvFitRequest request, Action<string>? log = null, CancellationToken ct = default)
    {
        await _running.WaitAsync(ct);
        try
        {
            return await RunAsync(request, log, ct);
        }
        finally
        {
            _running.Release();
        }
    }

    internal static async Task<IReadOnlyList<ClvModelInfo>> ReadModelsAsync(
        DbConnection c, DbTransaction? tx, int limit, long? id, CancellationToken ct)
    {
        var rows = await c.QueryAsync<ModelRow>(new CommandDefinition(
            $"""
            SELECT id AS Id, kind AS Kind, status AS Status, params AS Params, log_likelihood AS LogLikelihood, customers AS Customers,
                   calibration_end AS CalibrationEnd, horizon_weeks AS HorizonWeeks, discount_rate AS DiscountRate, margin AS Margin,
                   fitted_at AS FittedAt, message AS Message,
                   CAST(CASE WHEN id = (SELECT MAX(id) FROM clv_models WHERE status = 'fitted') THEN 1 ELSE 0 END AS BIGINT) AS IsCurrent
            FROM clv_models
            {(id is null ? "" : "WHERE id = @id")}
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { id, limit },
            tx,
            cancellationToken: ct));
        return rows.Select(r =>
        {
            var p = r.Params is null ? null : JsonSerializer.Deserialize<StoredParams>(r.Params, Json);
            return new ClvModelInfo(
                r.Id,
                r.Kind,
                r.Status,
                p is null ? null : p.Purchase.Concat(p.Spend).ToDictionary(kv => kv.Key, kv => kv.Value),
                r.LogLikelihood,
                p?.SpendLogLikelihood,
                r.Customers,
                r.CalibrationEnd is { } end ? DateOnly.FromDateTime(UnixTime.FromStorage(end).UtcDateTime) : null,
                (int)r.HorizonWeeks,
                r.DiscountRate,
                r.Margin,
                UnixTime.FromStorage(r.FittedAt),
                r.Message,
                r.IsCurrent == 1);
        }).ToList();
    }

    private async Task<ClvFitOutcome> RunAsync(ClvFitRequest request, Action<string>? log, CancellationToken ct)
    {
        if (request.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        var total = Stopwatch.StartNew();
        var step = Stopwatch.StartNew();
        var (transactions, customerCount, margin) = await ReadAsync(request, ct);
        log?.Invoke(Invariant($"clv: read {transactions.Length:N0} sales of {customerCount:N0} customers ({step.Elapsed.TotalSeconds:0.0} s)"));
        if (transactions.Length == 0)
        {
            return await FailAsync(request, 0, null, margin, "No customer has bought yet: a CLV model needs sales with a known customer.", total, ct);
        }

        step.Restart();
        var end = transactions.Max(t => t.Date);
        var summaries = CustomerSummaries.Build(transactions, end);
        transactions = [];
        IRepeatPurchaseModel model;
        double logLikelihood;
        ModelFit<GammaGammaModel> spend;
        CustomerValue[] values;
        try
        {
            var data = RepeatPurchaseData.From(summaries);
            if (request.Model == ClvFitRequest.ParetoNbd)
            {
                var fit = ParetoNbdFitter.Fit(data);
                (model, logLikelihood) = (fit.Model, fit.LogLikelihood);
            }
            else
            {
                var fit = BgNbdModel.Fit(data);
                (model, logLikelihood) = (fit.Model, fit.LogLikelihood);
            }

            spend = GammaGammaModel.Fit(summaries);
            log?.Invoke(Invariant(
                $"clv: fitted {model.Name} {Describe(model.Parameters)} (LL {logLikelihood:0.#}); Gamma-Gamma {Describe(spend.Model.Parameters)} on {summaries.Length:N0} customers ({step.Elapsed.TotalSeconds:0.0} s)"));
            step.Restart();
            values = CustomerLifetimeValue.Score(model, spend.Model, summaries, new ClvOptions(request.HorizonWeeks, request.DiscountRate, margin));
        }
        catch (Exception e) when (e is ModelFitException or ArgumentException or ArithmeticException)
        {
            return await FailAsync(request, summaries.Length, end, margin, e.Message, total, ct);
        }

        if (values.FirstOrDefault(v => !double.IsFinite(v.Clv) || !double.IsFinite(v.ExpectedPurchases) || !double.IsFinite(v.ProbabilityAlive)) is { } bad)
        {
            return await FailAsync(request, summaries.Length, end, margin,
                $"The fitted model gives customer {bad.CustomerId} a non-finite prediction (CLV {bad.Clv}); check the amounts for extreme outliers.", total, ct);
        }

        var clvs = values.Select(v => v.Clv).ToArray();
        var percentiles = new double[clvs.Length];
        Percentiles.Rank(clvs, percentiles);
        log?.Invoke(Invariant($"clv: scored {values.Length:N0} customers over {request.HorizonWeeks} weeks ({step.Elapsed.TotalSeconds:0.0} s)"));

        step.Restart();
        var storedParams = JsonSerializer.Serialize(
            new StoredParams(ToDictionary(model.Parameters), ToDictionary(spend.Model.Parameters), spend.LogLikelihood), Json);
        var info = await writer.WriteAsync(
            async unit =>
            {
                var id = await InsertModelAsync(unit, request, Fitted, storedParams, logLikelihood, summaries.Length, end, margin, null);
                await unit.Dialect.BulkInsertAsync(
                    unit.Connection,
                    unit.Transaction,
                    "customer_predictions",
                    ["customer_id", "model_id", "expected_purchases", "p_alive", "expected_spend_e4", "clv_e4", "clv_percentile"],
                    values.Select((v, i) => new object?[]
                    {
                        long.Parse(v.CustomerId, CultureInfo.InvariantCulture), id, v.ExpectedPurchases, v.ProbabilityAlive,
                        ToE4(v.ExpectedSpend), ToE4(v.Clv), percentiles[i],
                    }),
                    ct);
                await PruneAsync(unit, ct);
                return (await ReadModelsAsync(unit.Connection, unit.Transaction, 1, id, ct))[0];
            },
            ct);
        log?.Invoke(Invariant($"clv: wrote model {info.Id} and {values.Length:N0} predictions ({step.Elapsed.TotalSeconds:0.0} s)"));
        var best = values.MaxBy(v => v.Clv)!;
        return new ClvFitOutcome(
            info,
            values.Length,
            values.Sum(v => Money.FromStorage(ToE4(v.Clv))),
            long.Parse(best.CustomerId, CultureInfo.InvariantCulture),
            Money.FromStorage(ToE4(best.Clv)),
            total.Elapsed.TotalSeconds);
    }

    /// <summary>Sales of known customers (cancelled ones excluded) and the margin to value them at.</summary>
    private async Task<(Transaction[] Sales, int Customers, double Margin)> ReadAsync(ClvFitRequest request, CancellationToken ct)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        var margin = request.Margin ?? await ObservedMarginAsync(c, ct);
        var ids = new Dictionary<long, string>();
        var sales = new List<Transaction>();
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(
            "SELECT customer_id, placed_at, total_e4 FROM orders WHERE kind = 'sale' AND customer_id IS NOT NULL AND status <> 'cancelled' AND total_e4 > 0",
            cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            var customer = reader.GetInt64(0);
            if (!ids.TryGetValue(customer, out var id))
            {
                ids[customer] = id = customer.ToString(CultureInfo.InvariantCulture);
            }

            sales.Add(new Transaction(id, DateOnly.FromDateTime(UnixTime.FromStorage(reader.GetInt64(1)).UtcDateTime), Money.FromStorage(reader.GetInt64(2))));
        }

        return (sales.ToArray(), ids.Count, margin);
    }

    /// <summary>
    /// Margin over net revenue across all customers: the share of what customers paid that was
    /// profit. 1 (revenue CLV) when there is no revenue or the share is outside (0, 1].
    /// </summary>
    private static async Task<double> ObservedMarginAsync(DbConnection c, CancellationToken ct)
    {
        var (margin, net) = await c.QuerySingleAsync<(long Margin, long Net)>(new CommandDefinition(
            "SELECT CAST(COALESCE(SUM(margin_e4), 0) AS BIGINT), CAST(COALESCE(SUM(revenue_e4 - discount_e4 - returns_e4), 0) AS BIGINT) FROM customer_value",
            cancellationToken: ct));
        if (net <= 0)
        {
            return 1.0;
        }

        var share = (double)margin / net;
        return share is > 0 and <= 1 ? Math.Round(share, 4) : 1.0;
    }

    private async Task<ClvFitOutcome> FailAsync(
        ClvFitRequest request, long customers, DateOnly? end, double margin, string message, Stopwatch total, CancellationToken ct)
    {
        var info = await writer.WriteAsync(
            async unit =>
            {
                var id = await InsertModelAsync(unit, request, Failed, null, null, customers, end, margin, message);
                return (await ReadModelsAsync(unit.Connection, unit.Transaction, 1, id, ct))[0];
            },
            ct);
        return new ClvFitOutcome(info, 0, 0, null, null, total.Elapsed.TotalSeconds);
    }

    private static async Task<long> InsertModelAsync(
        UnitOfWork unit, ClvFitRequest request, string status, string? parameters, double? logLikelihood, long customers, DateOnly? end,
        double margin, string? message)
    {
        unit.EveryCustomerChanged = true; // a new model's predictions feed action conditions cached by next best action
        return await unit.Connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO clv_models (kind, status, params, log_likelihood, customers, calibration_end, horizon_weeks, discount_rate, margin, fitted_at, message)
            VALUES (@Model, @status, @parameters, @logLikelihood, @customers, @end, @HorizonWeeks, @DiscountRate, @margin, @now, @message)
            RETURNING id
            """,
            new
            {
                request.Model, status, parameters, logLikelihood, customers,
                end = end is { } d ? UnixTime.ToStorage(new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : (long?)null,
                request.HorizonWeeks, request.DiscountRate, margin, now = unit.Now, message,
            },
            unit.Transaction);
    }

    /// <summary>Keeps the predictions of the newest fitted models only (one per customer each: they add up).</summary>
    private async Task PruneAsync(UnitOfWork unit, CancellationToken ct)
    {
        var oldestKept = await unit.Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM clv_models WHERE status = 'fitted' ORDER BY id DESC LIMIT 1 OFFSET @skip",
            new { skip = Math.Max(1, options.KeptPredictionVersions) - 1 },
            unit.Transaction,
            cancellationToken: ct));
        if (oldestKept is { } keep)
        {
            await unit.Connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM customer_predictions WHERE model_id < @keep", new { keep }, unit.Transaction, cancellationToken: ct));
        }
    }

    /// <summary>Money from a model's double, clamped to what a BIGINT of 1/10,000 units holds.</summary>
    private static long ToE4(double amount) =>
        amount >= 9e14 ? long.MaxValue : amount <= -9e14 ? long.MinValue : (long)Math.Round(amount * 10_000, MidpointRounding.AwayFromZero);

    private static Dictionary<string, double> ToDictionary(IReadOnlyList<KeyValuePair<string, double>> p) => p.ToDictionary(kv => kv.Key, kv => kv.Value);

    private static string Describe(IReadOnlyList<KeyValuePair<string, double>> p) =>
        string.Join(" ", p.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:0.###}")));

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed record StoredParams(Dictionary<string, double> Purchase, Dictionary<string, double> Spend, double SpendLogLikelihood);

    private sealed class ModelRow
    {
        public long Id { get; init; }

        public string Kind { get; init; } = "";

        public string Status { get; init; } = "";

        public string? Params { get; init; }

        public double? LogLikelihood { get; init; }

        public long Customers { get; init; }

        public long? CalibrationEnd { get; init; }

        public long HorizonWeeks { get; init; }

        public double DiscountRate { get; init; }

        public double? Margin { get; init; }

        public long FittedAt { get; init; }

        public string? Message { get; init; }

        public long IsCurrent { get; init; }
    }
}
