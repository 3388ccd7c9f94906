namespace Rapport.Engine.Identity;

/// <summary>
/// One way of recognising a customer. Kinds are ordered by strength: an event belongs to the
/// customer of its strongest identifier (a userId beats an email beats an anonymousId).
/// </summary>
public readonly record struct Identifier(string Kind, string Value) : IComparable<Identifier>
{
    public const string UserId = "user_id";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string LoyaltyCard = "loyalty_card";
    public const string StoreCustomerNo = "store_customer_no";
    public const string AnonymousId = "anonymous_id";

    /// <summary>Strongest first.</summary>
    public static readonly IReadOnlyList<string> Kinds = [UserId, Email, Phone, LoyaltyCard, StoreCustomerNo, AnonymousId];

    public int Strength => Kinds.Count - IndexOfKind(Kind);

    public static bool IsKnownKind(string kind) => IndexOfKind(kind) >= 0;

    /// <summary>Canonical form so "Ann@Example.com " and "ann@example.com" are one identifier.</summary>
    public static Identifier Normalize(string kind, string value)
    {
        var v = value.Trim();
        v = kind switch
        {
            Email => v.ToLowerInvariant(),
            Phone => NormalizePhone(v),
            _ => v,
        };
        return new Identifier(kind, v);
    }

    /// <summary>Strongest first, then by value, so sorting is total and deterministic.</summary>
    public int CompareTo(Identifier other)
    {
        var byStrength = other.Strength.CompareTo(Strength);
        return byStrength != 0 ? byStrength : string.CompareOrdinal(Value, other.Value);
    }

    public override string ToString() => $"{Kind}:{Value}";

    private static int IndexOfKind(string kind)
    {
        for (var i = 0; i < Kinds.Count; i++)
        {
            if (Kinds[i] == kind)
            {
                return i;
            }
        }

        return -1;
    }

    private static string NormalizePhone(string v)
    {
        Span<char> buffer = stackalloc char[v.Length];
        var n = 0;
        foreach (var c in v)
        {
            if (char.IsAsciiDigit(c) || (c == '+' && n == 0))
            {
                buffer[n++] = c;
            }
        }

        return new string(buffer[..n]);
    }
}
