using System.Text;

namespace Rapport.Engine.Decisioning;

/// <summary>
/// Writes the sentence shown to the customer for a decision, from the action's template (or its
/// kind's default) and facts about the customer: {first_name}, {product} (the offered product),
/// {last_bought}, {last_viewed}, {tier}, {orders}, {segment}, {loyalty} ("one of our
/// most loyal customers" for the top value tiers). A template whose facts are missing
/// falls back to the next one, ending in a sentence that needs none. Also returns the facts used,
/// so the API can show the data behind the reason.
/// </summary>
public static class ReasonWriter
{
    private static readonly Dictionary<string, string[]> Defaults = new(StringComparer.Ordinal)
    {
        [ActionKinds.ProductOffer] = ["because you bought {last_bought}", "because you looked at {last_viewed}", "picked for you"],
        [ActionKinds.Discount] = ["a thank-you for your {orders} orders", "a little something for your next order"],
        [ActionKinds.Reward] = ["thank you for being {loyalty}", "thank you for shopping with us"],
        [ActionKinds.Surprise] = ["a surprise for {first_name}, just because", "a surprise, just because"],
        [ActionKinds.Content] = ["because you bought {last_bought}: how to get the most out of it", "we thought you would find this useful"],
        [ActionKinds.Service] = ["so you can talk to a real person who knows your account", "we are here to help"],
    };

    /// <param name="facts">Known facts by name; a missing or empty one makes a template unusable.</param>
    public static (string Reason, IReadOnlyDictionary<string, string> Used) Write(string kind, string? template, IReadOnlyDictionary<string, string> facts)
    {
        var templates = template is null ? Defaults[kind] : [template, .. Defaults[kind]];
        foreach (var t in templates)
        {
            if (TryFill(t, facts, out var text, out var used))
            {
                return (text, used);
            }
        }

        return (templates[^1], new Dictionary<string, string>());
    }

    /// <summary>The placeholders a template uses, for validating action definitions.</summary>
    public static IEnumerable<string> Placeholders(string template)
    {
        var i = 0;
        while ((i = template.IndexOf('{', i)) >= 0)
        {
            var end = template.IndexOf('}', i);
            if (end < 0)
            {
                yield break;
            }

            yield return template[(i + 1)..end];
            i = end + 1;
        }
    }

    public static readonly IReadOnlySet<string> KnownFacts = new HashSet<string>(StringComparer.Ordinal)
    {
        "first_name", "product", "last_bought", "last_viewed", "tier", "orders", "segment", "loyalty",
    };

    private static bool TryFill(string template, IReadOnlyDictionary<string, string> facts, out string text, out Dictionary<string, string> used)
    {
        used = new Dictionary<string, string>(StringComparer.Ordinal);
        var sb = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }

            sb.Append(template, i, open - i);
            var name = template[(open + 1)..close];
            if (!facts.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            {
                text = "";
                return false;
            }

            sb.Append(value);
            used[name] = value;
            i = close + 1;
        }

        text = sb.ToString();
        return true;
    }
}
