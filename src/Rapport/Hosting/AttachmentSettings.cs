using System.Globalization;
using Rapport.Core.Conversations;

namespace Rapport.Hosting;

/// <summary>
/// <see cref="AttachmentOptions"/> from configuration: Rapport:Attachments:MaxBytes (10 MB),
/// :MaxPerMessage (10), :AllowedTypes (comma-separated MIME types, replacing the default list).
/// A bad value stops start-up with a message naming the setting.
/// </summary>
internal static class AttachmentSettings
{
    public static AttachmentOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Rapport:Attachments");
        var o = new AttachmentOptions();
        if (s["MaxBytes"] is { Length: > 0 } max)
        {
            o = o with { MaxBytes = long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : throw new ArgumentException($"Rapport:Attachments:MaxBytes '{max}' is not a positive number of bytes, e.g. 10485760.") };
        }

        if (s["MaxPerMessage"] is { Length: > 0 } per)
        {
            o = o with { MaxPerMessage = int.TryParse(per, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"Rapport:Attachments:MaxPerMessage '{per}' is not a positive whole number.") };
        }

        if (s["AllowedTypes"] is { Length: > 0 } types)
        {
            var list = types.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(AttachmentOptions.Normalize).ToHashSet(StringComparer.Ordinal);
            if (list.Any(t => !t.Contains('/', StringComparison.Ordinal)))
            {
                throw new ArgumentException($"Rapport:Attachments:AllowedTypes '{types}' must be MIME types separated by commas, e.g. image/png,application/pdf.");
            }

            o = o with { AllowedTypes = list };
        }

        return o;
    }
}
