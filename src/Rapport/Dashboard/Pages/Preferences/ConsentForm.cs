using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rapport.Core.Consent;

namespace Rapport.Dashboard.Pages.Preferences;

/// <summary>
/// Turns the preference-centre form into a consent change (the JSON the consent API takes), with
/// only what differs from the current state: the ledger and the timeline then show what the
/// customer changed, not thirty unchanged boxes. Checkboxes: an unticked box is not sent, so
/// every purpose × channel on the form is read as ticked or not.
/// </summary>
internal static class ConsentForm
{
    public const string Source = "preference-centre";

    public static string Box(string purpose, string channel) => $"c.{purpose}.{channel}";

    public static string Cap(string channel) => $"max.{channel}";

    public static JsonObject Changes(IFormCollection form, ConsentState now)
    {
        var body = new JsonObject { ["source"] = Source };
        var consents = new JsonObject();
        foreach (var purpose in ConsentVocabulary.Purposes)
        {
            var changed = new JsonObject();
            foreach (var channel in ConsentVocabulary.Channels)
            {
                var ticked = form.ContainsKey(Box(purpose, channel));
                if (ticked != now.Answer(purpose, channel).Granted)
                {
                    changed[channel] = ticked;
                }
            }

            if (changed.Count > 0)
            {
                consents[purpose] = changed;
            }
        }

        if (consents.Count > 0)
        {
            body["consents"] = consents;
        }

        var zone = Text(form, "timeZone");
        if (zone is not null && zone != now.TimeZone)
        {
            body["timeZone"] = zone;
        }

        var (start, end) = (Text(form, "quietStart"), Text(form, "quietEnd"));
        var quiet = start is null && end is null ? null : $"{start}-{end}";
        if (quiet != now.QuietHours?.ToString())
        {
            body["quietHours"] = quiet is null ? null : new JsonObject { ["start"] = start ?? "", ["end"] = end ?? "" };
        }

        var caps = new JsonObject();
        foreach (var channel in ConsentVocabulary.Channels)
        {
            var given = Text(form, Cap(channel));
            if (given != now.Value(ConsentEntry.MaxPerWeekPrefix + channel))
            {
                caps[channel] = given is null ? null : int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : given;
            }
        }

        if (caps.Count > 0)
        {
            body["maxPerWeek"] = caps;
        }

        var preferred = Text(form, "preferredChannel");
        if (preferred != now.PreferredChannel)
        {
            body["preferredChannel"] = preferred;
        }

        var pause = Text(form, "pausedUntil");
        var pausedNow = now.PausedUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (pause != pausedNow)
        {
            body["pausedUntil"] = pause is null ? null : pause + "T00:00:00Z";
        }

        return body;
    }

    /// <summary>True when the change has something in it besides the source.</summary>
    public static bool HasChanges(JsonObject body) => body.Count > 1;

    private static string? Text(IFormCollection form, string name) =>
        form.TryGetValue(name, out var v) && v.ToString().Trim() is { Length: > 0 } t ? t : null;
}
