using System.Text.Json.Nodes;
using Rapport.Core.Messaging;

namespace Rapport.Core.Journeys;

public sealed record LibraryJourney(string Key, string Name, string Description, JsonObject Journey, JsonObject Templates);

/// <summary>
/// The ready-made journeys shipped inside Rapport (Journeys/Library/*.json, embedded): each is a
/// definition plus the templates it sends. Installing saves the templates that do not exist yet
/// (a shop's own edited copy is kept) and the journey as a draft, to be read and activated.
/// </summary>
public sealed class JourneyLibrary(JourneyStore journeys, TemplateStore templates)
{
    private static readonly Lazy<IReadOnlyList<LibraryJourney>> Items = new(Load);

    public static IReadOnlyList<LibraryJourney> All => Items.Value;

    /// <returns>The journey's id; null for an unknown key; throws <see cref="JourneyValidationException"/> never for a shipped one (tests check them).</returns>
    public async Task<(long? Id, bool Created)?> InstallAsync(string key, bool activate, CancellationToken ct = default)
    {
        if (All.FirstOrDefault(j => j.Key == key) is not { } item)
        {
            return null;
        }

        foreach (var (name, node) in item.Templates)
        {
            var t = (JsonObject)node!;
            if (await templates.GetAsync(name, ct) is null)
            {
                await templates.SaveAsync(name, (string)t["channel"]!, (string)t["subject"]!, (string)t["text"]!, (string?)t["html"], ct);
            }
        }

        var existing = (await journeys.ListAsync(ct)).FirstOrDefault(j => j.Name == item.Name);
        if (existing is not null)
        {
            return (existing.Id, false);
        }

        var id = await journeys.CreateAsync((JsonObject)item.Journey.DeepClone(), activate ? JourneyStatus.Active : JourneyStatus.Draft, ct);
        return (id, id is not null);
    }

    private static IReadOnlyList<LibraryJourney> Load()
    {
        var assembly = typeof(JourneyLibrary).Assembly;
        const string Prefix = "Rapport.Journeys.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                var file = (JsonObject)JsonNode.Parse(stream)!;
                var journey = (JsonObject)file["journey"]!;
                return new LibraryJourney(n[Prefix.Length..^".json".Length], (string)journey["name"]!, (string)file["description"]!, journey, (JsonObject)file["templates"]!);
            })
            .ToList();
    }
}
