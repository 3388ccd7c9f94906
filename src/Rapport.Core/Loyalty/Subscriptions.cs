using System.Globalization;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Loyalty;

/// <summary>
/// A subscription as shown: Status is active, paused or cancelled (a pause whose end has passed
/// shows as active again, with the next date on its rhythm). UnitPrice is the catalogue price,
/// SubscriptionPrice the regular-supply price after the discount (null when the price is unknown).
/// </summary>
public sealed record Subscription(
    long Id, long CustomerId, string Sku, long Quantity, int IntervalDays, string IntervalSource, DateOnly NextDate, string Status,
    DateOnly? PausedUntil, decimal DiscountPercent, decimal? UnitPrice, decimal? SubscriptionPrice);

public enum SubscriptionError
{
    None,
    NotFound,
    BadInput,
    Cancelled,
}

public sealed record SubscriptionOutcome(Subscription? Value, SubscriptionError Error = SubscriptionError.None, string? Problem = null);

/// <summary>
/// Subscriptions for regularly bought products: interval (asked for, else the customer's own
/// cadence for the product from their orders, else 30 days), next date, skip, pause, resume,
/// cancel and a regular-supply discount. Writes go through the single writer.
/// </summary>
public sealed class Subscriptions(StoreWriter writer, TimeProvider clock)
{
    public const int DefaultIntervalDays = 30;
    public const decimal DefaultDiscountPercent = 5m;
    public const decimal MaxDiscountPercent = 50m;

    private const string Columns =
        "s.id AS Id, s.customer_id AS CustomerId, s.sku AS Sku, s.quantity AS Quantity, s.interval_days AS IntervalDays, s.interval_source AS IntervalSource, " +
        "s.next_day AS NextDay, s.status AS Status, s.paused_until AS PausedUntil, s.discount_percent AS DiscountPercent, p.price_e4 AS PriceE4";

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>What is wrong with a new subscription, or null.</summary>
    public string? Validate(string? sku, long? quantity, int? intervalDays, DateOnly? firstDate, decimal? discountPercent)
    {
        if (string.IsNullOrWhiteSpace(sku) || sku.Length > 200)
        {
            return "sku is required: the product to deliver regularly, e.g. \"COFFEE-1KG\".";
        }

        if (quantity is < 1 or > 10_000)
        {
            return "quantity must be between 1 and 10000 (default 1).";
        }

        if (intervalDays is < SubscriptionRules.MinIntervalDays or > SubscriptionRules.MaxIntervalDays)
        {
            return $"intervalDays must be between {SubscriptionRules.MinIntervalDays} and {SubscriptionRules.MaxIntervalDays}; leave it out to use the customer's own rhythm for this product.";
        }

        if (firstDate is { } d && d < Today)
        {
            return string.Create(CultureInfo.InvariantCulture, $"firstDate {d:yyyy-MM-dd} is in the past (today is {Today:yyyy-MM-dd} UTC); pick today or a later date, or leave it out.");
        }

        return discountPercent is < 0 or > MaxDiscountPercent
            ? $"discountPercent must be between 0 and {MaxDiscountPercent} (default {DefaultDiscountPercent})."
            : null;
    }

    public Task<SubscriptionOutcome> CreateAsync(
        long customerId, string sku, long quantity, int? intervalDays, DateOnly? firstDate, decimal? discountPercent, CancellationToken ct = default)
    {
        if (Validate(sku, quantity, intervalDays, firstDate, discountPercent) is { } problem)
        {
            return Task.FromResult(new SubscriptionOutcome(null, SubscriptionError.BadInput, problem));
        }

        return writer.WriteAsync(
            async unit =>
            {
                if (await Owners.FindAsync(unit, customerId) is not { } owner)
                {
                    return new SubscriptionOutcome(null, SubscriptionError.NotFound, $"There is no customer {customerId}.");
                }

                var days = (await unit.Connection.QueryAsync<long>(
                        """
                        SELECT o.placed_at FROM orders o JOIN order_lines l ON l.order_id = o.order_id
                        WHERE o.customer_id = @owner AND l.sku = @sku AND o.kind = 'sale' AND o.status <> 'cancelled'
                        """,
                        new { owner, sku },
                        unit.Transaction))
                    .Select(ms => DateOnly.FromDateTime(UnixTime.FromStorage(ms).UtcDateTime)).ToList();
                var cadence = SubscriptionRules.Cadence(days);
                var interval = intervalDays ?? cadence ?? DefaultIntervalDays;
                var source = intervalDays is not null ? "requested" : cadence is not null ? "cadence" : "default";
                var next = SubscriptionRules.FirstDate(Today, interval, firstDate, intervalDays is null ? cadence : null, days.Count > 0 ? days.Max() : null);
                var id = await unit.Connection.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO subscriptions (customer_id, recorded_for, sku, quantity, interval_days, interval_source, next_day, status, paused_until,
                                               discount_percent, created_at, updated_at)
                    VALUES (@owner, @customerId, @sku, @quantity, @interval, @source, @next, 'active', NULL, @discount, @now, @now)
                    RETURNING id
                    """,
                    new { owner, customerId, sku, quantity, interval, source, next = (long)next.DayNumber, discount = (double)(discountPercent ?? DefaultDiscountPercent), now = unit.Now },
                    unit.Transaction);
                return new SubscriptionOutcome(await ReadAsync(unit.Connection, unit.Transaction, id));
            },
            ct);
    }

    public async Task<IReadOnlyList<Subscription>?> ForCustomerAsync(long customerId, CancellationToken ct = default)
    {
        await using var c = await writer.Database.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM customers WHERE id = @customerId", new { customerId }) is null)
        {
            return null;
        }

        var rows = await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM subscriptions s LEFT JOIN products p ON p.sku = s.sku WHERE s.customer_id = @customerId ORDER BY s.id", new { customerId });
        return rows.Select(r => r.ToView(Today)).ToList();
    }

    public Task<SubscriptionOutcome> SkipAsync(long id, CancellationToken ct = default) =>
        ChangeAsync(id, (s, today) => (s.Status == "paused" ? "paused" : "active", SubscriptionRules.Skip(s.NextDate, s.IntervalDays), s.PausedUntil), ct);

    /// <summary>Pauses until <paramref name="until"/> (a future day) or until resumed.</summary>
    public Task<SubscriptionOutcome> PauseAsync(long id, DateOnly? until, CancellationToken ct = default)
    {
        if (until is { } u && u <= Today)
        {
            return Task.FromResult(new SubscriptionOutcome(
                null, SubscriptionError.BadInput,
                string.Create(CultureInfo.InvariantCulture, $"until {u:yyyy-MM-dd} is not in the future (today is {Today:yyyy-MM-dd} UTC); pick a later day, or leave it out to pause until resumed.")));
        }

        return ChangeAsync(id, (s, today) => ("paused", s.NextDate, until), ct);
    }

    public Task<SubscriptionOutcome> ResumeAsync(long id, CancellationToken ct = default) =>
        ChangeAsync(id, (s, today) => ("active", SubscriptionRules.Resume(s.NextDate, s.IntervalDays, today), null), ct);

    public Task<SubscriptionOutcome> CancelAsync(long id, CancellationToken ct = default) =>
        ChangeAsync(id, (s, today) => ("cancelled", s.NextDate, null), ct);

    private Task<SubscriptionOutcome> ChangeAsync(long id, Func<Subscription, DateOnly, (string Status, DateOnly Next, DateOnly? PausedUntil)> change, CancellationToken ct) =>
        writer.WriteAsync(
            async unit =>
            {
                if (await ReadAsync(unit.Connection, unit.Transaction, id) is not { } current)
                {
                    return new SubscriptionOutcome(null, SubscriptionError.NotFound, $"There is no subscription {id}; list a customer's at /v1/customers/{{id}}/subscriptions.");
                }

                if (current.Status == "cancelled")
                {
                    return new SubscriptionOutcome(current, SubscriptionError.Cancelled, $"Subscription {id} is cancelled; create a new one to start again.");
                }

                var (status, next, pausedUntil) = change(current, Today);
                await unit.Connection.ExecuteAsync(
                    "UPDATE subscriptions SET status = @status, next_day = @next, paused_until = @pausedUntil, updated_at = @now WHERE id = @id",
                    new { status, next = (long)next.DayNumber, pausedUntil = pausedUntil is { } p ? p.DayNumber : (long?)null, now = unit.Now, id },
                    unit.Transaction);
                return new SubscriptionOutcome(await ReadAsync(unit.Connection, unit.Transaction, id));
            },
            ct);

    private async Task<Subscription?> ReadAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? t, long id) =>
        (await c.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM subscriptions s LEFT JOIN products p ON p.sku = s.sku WHERE s.id = @id", new { id }, t))
        ?.ToView(Today);

    private sealed class Row
    {
        public long Id { get; init; }

        public long CustomerId { get; init; }

        public string Sku { get; init; } = "";

        public long Quantity { get; init; }

        public long IntervalDays { get; init; }

        public string IntervalSource { get; init; } = "";

        public long NextDay { get; init; }

        public string Status { get; init; } = "";

        public long? PausedUntil { get; init; }

        public double DiscountPercent { get; init; }

        public long? PriceE4 { get; init; }

        public Subscription ToView(DateOnly today)
        {
            var next = DateOnly.FromDayNumber((int)NextDay);
            var until = PausedUntil is { } p ? DateOnly.FromDayNumber((int)p) : (DateOnly?)null;
            var status = Status;
            if (status == "paused" && until is { } u && u <= today)
            {
                // The pause has run out: active again, on the subscription's rhythm.
                status = "active";
                next = SubscriptionRules.Resume(next, (int)IntervalDays, u);
                until = null;
            }

            var discount = (decimal)DiscountPercent;
            var price = Money.FromStorage(PriceE4);
            return new Subscription(
                Id, CustomerId, Sku, Quantity, (int)IntervalDays, IntervalSource, next, status, until, discount, price,
                price is { } x ? SubscriptionRules.DiscountedPrice(x, discount) : null);
        }
    }
}
