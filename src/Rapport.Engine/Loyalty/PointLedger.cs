namespace Rapport.Engine.Loyalty;

/// <summary>
/// A lot of points: what one earning added (kind earn), or a debt (kind debt, negative) left by
/// a return whose points were already spent. Remaining is what is left of it; Expired and
/// Reversed are what left it by expiry and by returns (so a later return does not take back
/// points that already expired).
/// </summary>
public sealed record PointLot(
    long Id, string Kind, long Points, long Remaining, long Expired, long Reversed, DateTimeOffset EarnedAt, DateTimeOffset? ExpiresAt, string? OrderId)
{
    public const string Earn = "earn";
    public const string Debt = "debt";

    public bool IsDebt => Kind == Debt;
}

/// <summary>One append-only ledger line: a signed number of points added to or taken from one lot.</summary>
public readonly record struct LedgerEntry(string Kind, long LotId, long Points)
{
    public const string Earned = "earn";
    public const string Redeemed = "redeem";
    public const string Expired = "expire";
    public const string Reversed = "reverse";

    /// <summary>Points given to a cause by the customer (docs/causes.md).</summary>
    public const string Donated = "donate";

    /// <summary>Points moved out of a fresh earn lot into a debt lot (both lines are written).</summary>
    public const string DebtRepaid = "repay";
}

/// <summary>
/// One customer's points as first-in-first-out lots, and the rules that change them. Pure: the
/// caller loads the lots, runs one operation, and writes <see cref="NewLots"/>, the lots named
/// in <see cref="Entries"/> and the entries. New lots get negative ids until the caller stores
/// them. Invariants (checked by the property test): every lot's Remaining is the sum of its
/// entries; earn lots hold 0..Points, debt lots Points..0; a debt is only outstanding while no
/// earn lot holds points (new earnings repay it first); the balance is the sum of Remaining.
/// </summary>
public sealed class PointLedger
{
    private readonly List<PointLot> _lots;
    private readonly Dictionary<long, PointLot> _loaded;
    private readonly List<PointLot> _new = [];
    private readonly List<LedgerEntry> _entries = [];
    private readonly long _notLoaded;
    private long _nextTemporaryId = -1;

    public PointLedger(IEnumerable<PointLot> lots)
        : this(lots, 0)
    {
    }

    /// <summary>
    /// Only the lots an operation needs (e.g. the lots due to expire and the oldest lots that
    /// cover a redemption), with <paramref name="notLoadedBalance"/> the points the customer's
    /// other lots hold: they count in <see cref="Balance"/> but are never consumed or changed.
    /// </summary>
    public PointLedger(IEnumerable<PointLot> lots, long notLoadedBalance)
    {
        _notLoaded = notLoadedBalance;
        // Oldest first: redemptions, expiry and repayments consume in this order.
        _lots = lots.OrderBy(l => l.EarnedAt).ThenBy(l => l.Id).ToList();
        _loaded = _lots.ToDictionary(l => l.Id);
    }

    /// <summary>Lots loaded at the start whose state an operation changed (to be written back).</summary>
    public IEnumerable<PointLot> ChangedLots() =>
        _lots.Where(l => _loaded.TryGetValue(l.Id, out var before) && before != l);

    public IReadOnlyList<PointLot> Lots => _lots;

    public IReadOnlyList<PointLot> NewLots => _new;

    public IReadOnlyList<LedgerEntry> Entries => _entries;

    public long Balance
    {
        get
        {
            var sum = _notLoaded;
            foreach (var lot in _lots)
            {
                sum += lot.Remaining;
            }

            return sum;
        }
    }

    /// <summary>The soonest expiry among lots still holding points, with how many points expire then.</summary>
    public (DateTimeOffset At, long Points)? NextExpiry() =>
        _lots.Where(l => !l.IsDebt && l.Remaining > 0 && l.ExpiresAt is not null)
            .GroupBy(l => l.ExpiresAt!.Value)
            .OrderBy(g => g.Key)
            .Select(g => ((DateTimeOffset, long)?)(g.Key, g.Sum(l => l.Remaining)))
            .FirstOrDefault();

    /// <summary>Expires every earn lot whose date has come; returns the points that expired.</summary>
    public long ExpireDue(DateTimeOffset now)
    {
        var expired = 0L;
        for (var i = 0; i < _lots.Count; i++)
        {
            var lot = _lots[i];
            if (!lot.IsDebt && lot.Remaining > 0 && lot.ExpiresAt is { } at && at <= now)
            {
                expired += lot.Remaining;
                Apply(i, LedgerEntry.Expired, -lot.Remaining);
            }
        }

        return expired;
    }

    /// <summary>Adds an earn lot; outstanding debt is repaid from it first. Returns the new lot's (temporary) id.</summary>
    public long Earn(long points, DateTimeOffset at, DateTimeOffset expiresAt, string? orderId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var lot = Add(new PointLot(_nextTemporaryId--, PointLot.Earn, points, 0, 0, 0, at, expiresAt, orderId));
        Apply(lot, LedgerEntry.Earned, points);
        for (var i = 0; i < _lots.Count && _lots[lot].Remaining > 0; i++)
        {
            if (_lots[i] is { IsDebt: true, Remaining: < 0 } debt)
            {
                var repay = Math.Min(_lots[lot].Remaining, -debt.Remaining);
                Apply(lot, LedgerEntry.DebtRepaid, -repay);
                Apply(i, LedgerEntry.DebtRepaid, repay);
            }
        }

        return _lots[lot].Id;
    }

    /// <summary>Takes <paramref name="points"/> from the oldest lots. False (and nothing changes) when the balance is smaller.</summary>
    public bool Redeem(long points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        if (points > Balance)
        {
            return false;
        }

        Consume(points, LedgerEntry.Redeemed, except: null);
        return true;
    }

    /// <summary>Gives <paramref name="points"/> from the oldest lots to a cause. False (and nothing changes) when the balance is smaller.</summary>
    public bool Donate(long points)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        if (points > Balance)
        {
            return false;
        }

        Consume(points, LedgerEntry.Donated, except: null);
        return true;
    }

    /// <summary>
    /// Takes back points for a return: from the order's own lot first, then from the oldest
    /// other lots; what the customer no longer has becomes a debt lot (the documented
    /// correction: the balance never goes below zero through a lot, and the next earnings repay
    /// the debt). Returns the debt created (0 when the points were still there).
    /// </summary>
    public long Reverse(long points, long? orderLotId, DateTimeOffset at)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        var left = points;
        var own = orderLotId is { } id ? _lots.FindIndex(l => l.Id == id) : -1;
        if (own >= 0)
        {
            _lots[own] = _lots[own] with { Reversed = _lots[own].Reversed + points };
            var take = Math.Min(left, _lots[own].Remaining);
            if (take > 0)
            {
                Apply(own, LedgerEntry.Reversed, -take);
                left -= take;
            }
        }

        left -= Consume(left, LedgerEntry.Reversed, except: own);
        if (left > 0)
        {
            var debt = Add(new PointLot(_nextTemporaryId--, PointLot.Debt, -left, 0, 0, 0, at, null, _lots.ElementAtOrDefault(own)?.OrderId));
            Apply(debt, LedgerEntry.Reversed, -left);
        }

        return left;
    }

    /// <summary>Points of an order's lot that a return may still take back (neither reversed nor expired).</summary>
    public long Reversible(long lotId) =>
        _lots.FirstOrDefault(l => l.Id == lotId) is { IsDebt: false } lot ? lot.Points - lot.Reversed - lot.Expired : 0;

    private long Consume(long points, string kind, int? except)
    {
        var taken = 0L;
        for (var i = 0; i < _lots.Count && taken < points; i++)
        {
            var lot = _lots[i];
            if (i == except || lot.IsDebt || lot.Remaining <= 0)
            {
                continue;
            }

            var take = Math.Min(points - taken, lot.Remaining);
            Apply(i, kind, -take);
            taken += take;
        }

        return taken;
    }

    private int Add(PointLot lot)
    {
        _lots.Add(lot);
        _new.Add(lot);
        return _lots.Count - 1;
    }

    private void Apply(int index, string kind, long points)
    {
        var lot = _lots[index];
        _lots[index] = lot with
        {
            Remaining = lot.Remaining + points,
            Expired = kind == LedgerEntry.Expired ? lot.Expired - points : lot.Expired,
        };
        for (var i = 0; i < _new.Count; i++)
        {
            if (_new[i].Id == lot.Id)
            {
                _new[i] = _lots[index];
            }
        }

        _entries.Add(new LedgerEntry(kind, lot.Id, points));
    }
}
