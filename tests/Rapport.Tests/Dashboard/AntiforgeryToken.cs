using System.Text.RegularExpressions;

namespace Rapport.Tests.Dashboard;

/// <summary>The antiforgery token of a dashboard form, for tests that post forms over plain HTTP.</summary>
public static partial class AntiforgeryToken
{
    public static string In(string html) => Pattern().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Pattern();
}
