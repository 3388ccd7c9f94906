using System.Text.RegularExpressions;

namespace Rapport.Core.Conversations;

/// <summary>
/// The thread token outgoing email carries ("[ref:TOKEN]" in the subject, which replies keep),
/// and where an inbound email may carry it: the subject, or a plus address (reply+TOKEN@...).
/// </summary>
public static partial class ReplyTokens
{
    public static string Subject(string? subject, string token)
    {
        var text = string.IsNullOrWhiteSpace(subject) ? "Your message" : subject.Trim();
        text = SubjectToken().Replace(text, "").Trim();
        return (text.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? text : "Re: " + text) + $" [ref:{token}]";
    }

    public static string? Find(string? subject, IEnumerable<string> addresses)
    {
        if (subject is not null && SubjectToken().Match(subject) is { Success: true } m)
        {
            return m.Groups[1].Value.ToLowerInvariant();
        }

        foreach (var address in addresses)
        {
            if (PlusToken().Match(address) is { Success: true } p)
            {
                return p.Groups[1].Value.ToLowerInvariant();
            }
        }

        return null;
    }

    /// <summary>The subject without reply prefixes and the token: what the thread is about.</summary>
    public static string? Clean(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return null;
        }

        var text = SubjectToken().Replace(subject, "").Trim();
        return Prefix().Replace(text, "").Trim() is { Length: > 0 } clean ? clean : null;
    }

    [GeneratedRegex(@"\[ref:([a-z0-9]{12})\]", RegexOptions.IgnoreCase)]
    private static partial Regex SubjectToken();

    [GeneratedRegex(@"\+([a-z0-9]{12})@", RegexOptions.IgnoreCase)]
    private static partial Regex PlusToken();

    [GeneratedRegex(@"^((re|fwd?|aw|sv)\s*:\s*)+", RegexOptions.IgnoreCase)]
    private static partial Regex Prefix();
}
