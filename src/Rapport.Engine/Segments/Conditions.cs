namespace Rapport.Engine.Segments;

/// <summary>
/// A compiled condition: field and counter lookups by slot, constants pre-parsed, no allocation
/// when evaluated. A comparison with a missing value is false (also for !=), as in SQL.
/// </summary>
internal abstract class Condition
{
    public abstract bool Eval(CustomerSnapshot s, int today);
}

internal sealed class AndCondition(Condition[] items) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today)
    {
        foreach (var item in items)
        {
            if (!item.Eval(s, today))
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class OrCondition(Condition[] items) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today)
    {
        foreach (var item in items)
        {
            if (item.Eval(s, today))
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class NotCondition(Condition item) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today) => !item.Eval(s, today);
}

internal sealed class NumberCondition(int slot, CompareOp op, double value) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today)
    {
        var v = s.Field(slot);
        return v.HasNumber && CompareOps.Compare(v.Number, op, value);
    }
}

/// <summary>Text equality ignores case: "gold" = "Gold".</summary>
internal sealed class TextCondition(int slot, bool equal, string value) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today) =>
        s.Field(slot).Text is { } t && string.Equals(t, value, StringComparison.OrdinalIgnoreCase) == equal;
}

internal sealed class NumberInCondition(int slot, double[] values) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today)
    {
        var v = s.Field(slot);
        return v.HasNumber && Array.IndexOf(values, v.Number) >= 0;
    }
}

internal sealed class TextInCondition(int slot, string[] values) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today)
    {
        if (s.Field(slot).Text is not { } t)
        {
            return false;
        }

        foreach (var value in values)
        {
            if (string.Equals(t, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class ExistsCondition(int slot) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today) => s.Field(slot).HasValue;
}

/// <summary>Events counted from day today-days (inclusive) to now, compared with a count.</summary>
internal sealed class CountCondition(int selector, int days, CompareOp op, long count) : Condition
{
    public override bool Eval(CustomerSnapshot s, int today) => CompareOps.Compare(s.CountSince(selector, today - days), op, count);
}
