using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Rapport.Core.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Identity;

/// <summary>
/// Maps the identifiers an event carries to one customer, linking and merging as needed.
/// The common case (all identifiers known and owned by one customer) is a dictionary lookup:
/// owners are cached in memory, and only <see cref="StoreWriter"/>'s single writer changes them.
/// Anything where arrival order could change the outcome goes through
/// <see cref="IdentityGraph"/>, which replays the links of the affected component by time.
/// Resolving is here; bulk lookups and the cache are in IdentityResolver.Lookup.cs; linking,
/// merging and component replay in IdentityResolver.Linking.cs.
/// </summary>
public sealed partial class IdentityResolver
{
    private readonly ConcurrentDictionary<Identifier, long> _owners = new();
    private readonly ConcurrentDictionary<(Identifier, Identifier), long> _links = new();

    // Identifiers PreloadAsync found unowned, valid only inside that one transaction.
    private readonly HashSet<Identifier> _absent = [];
    private UnitOfWork? _absentIn;

    /// <summary>Returns the customer that owns <paramref name="identifiers"/>[strongest] after linking.</summary>
    public Task<long> ResolveAsync(
        UnitOfWork unit, IReadOnlyList<Identifier> identifiers, long at, string messageId, bool explicitAlias = false) =>
        TryResolveKnown(identifiers, at, out var known)
            ? Task.FromResult(known)
            : ResolveSlowAsync(unit, identifiers, at, messageId, explicitAlias);

    /// <summary>
    /// The common case without touching the store or allocating: every identifier is owned by
    /// the same customer and every link between them is already recorded at this time or
    /// earlier, so the identity graph would not change.
    /// </summary>
    public bool TryResolveKnown(IReadOnlyList<Identifier> identifiers, long at, out long customer)
    {
        customer = 0;
        if (identifiers.Count == 0 || !_owners.TryGetValue(identifiers[0], out customer))
        {
            return false;
        }

        // Links are recorded from the strongest identifier, so this holds only for the sorted, distinct list Identifiers() gives.
        for (var i = 1; i < identifiers.Count; i++)
        {
            if (identifiers[i - 1].CompareTo(identifiers[i]) >= 0
                || !_owners.TryGetValue(identifiers[i], out var owner) || owner != customer
                || !_links.TryGetValue((identifiers[0], identifiers[i]), out var seen) || seen > at)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<long> ResolveSlowAsync(
        UnitOfWork unit, IReadOnlyList<Identifier> identifiers, long at, string messageId, bool explicitAlias)
    {
        var ids = identifiers.Distinct().Order().ToList();
        if (ids.Count == 0)
        {
            throw new ArgumentException("An event needs at least one identifier.", nameof(identifiers));
        }

        var linksChanged = false;
        for (var i = 1; i < ids.Count; i++)
        {
            linksChanged |= await RecordLinkAsync(unit, ids[0], ids[i], at, messageId, explicitAlias);
        }

        var owners = new Dictionary<Identifier, long>();
        foreach (var id in ids)
        {
            if (await FindOwnerAsync(unit, id) is { } owner)
            {
                owners[id] = owner;
            }
        }

        var customers = owners.Values.Distinct().Order().ToList();
        if (customers.Count == 1 && owners.Count == ids.Count && !linksChanged)
        {
            // Nothing new (every identifier owned by one customer, no new or earlier link): the
            // graph is unchanged, so is the answer.
            return customers[0];
        }

        if (customers.Count == 0)
        {
            var created = await CreateCustomerAsync(unit, at);
            foreach (var id in ids)
            {
                await AssignAsync(unit, id, created, at);
            }

            return created;
        }

        var userIds = await UserIdsAsync(unit, customers);
        userIds.UnionWith(ids.Where(i => i.Kind == Identifier.UserId).Select(i => i.Value));
        if (userIds.Count > 1 && !explicitAlias)
        {
            await ReplayComponentAsync(unit, ids, customers);
            return await FindOwnerAsync(unit, ids[0]) ?? throw new InvalidOperationException("Replay lost an identifier.");
        }

        if (customers.Count > 1)
        {
            // An admin who undid a merge disabled the links between those identifiers: a later
            // event carrying the same pair must not silently merge them again.
            var blocked = await DisabledPartnersAsync(unit, ids);
            var anchor = owners.GetValueOrDefault(ids[0]);
            customers = customers
                .Where(c => c == anchor || anchor == 0 || owners.Any(kv => kv.Value == c && !blocked.Contains(kv.Key)))
                .ToList();
        }

        var survivor = customers[0];
        foreach (var id in ids.Where(i => !owners.ContainsKey(i)))
        {
            await AssignAsync(unit, id, survivor, at);
        }

        foreach (var absorbed in customers.Skip(1))
        {
            await MergeAsync(unit, survivor, absorbed, at, messageId, explicitAlias ? "alias" : "shared identifiers");
        }

        return survivor;
    }
}
