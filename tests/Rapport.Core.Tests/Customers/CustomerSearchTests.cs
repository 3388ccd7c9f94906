using System.Text.Json.Nodes;
using Dapper;
using Rapport.Core.Customers;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Events;
using Rapport.Core.Tests.Storage;
using Rapport.Engine.Identity;

namespace Rapport.Core.Tests.Customers;

/// <summary>Name and email search through the word-start index, on both stores; and the terms themselves.</summary>
public sealed class CustomerSearchTests
{
    [Fact]
    public void Terms_WholeValueAndEveryWordStart_AsciiLowercased()
    {
        Assert.Equal(["grace hopper", "hopper"], CustomerSearch.TermsOf("  Grace   HOPPER "));
        Assert.Equal(["grace@navy.mil", "navy.mil", "mil"], CustomerSearch.TermsOf("Grace@Navy.MIL"));
        Assert.Equal(["o'brien-smith", "brien-smith", "smith"], CustomerSearch.TermsOf("O'Brien-Smith"));
        Assert.Equal(["émile zola", "zola"], CustomerSearch.TermsOf("émile Zola"));
        Assert.Equal(CustomerSearch.MaxTermLength, CustomerSearch.TermsOf(new string('a', 300))[0].Length);
        Assert.Equal(("hop", "hoq"), CustomerSearch.Range("hop"));
    }

    [Theory, BothStores]
    public async Task Search_WordStartsOfNamesAndEmails_NotTheMiddle_UnlessAnywhere(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 0, new JsonObject { ["name"] = "Grace Hopper", ["email"] = "grace@navy.mil" }, user: "g"));
        await h.SendAsync(Ev.Identify("i2", 0, new JsonObject { ["firstName"] = "Alan", ["lastName"] = "Turing" }, user: "a"));
        await h.SendAsync(Ev.Identify("i3", 0, new JsonObject { ["name"] = "Hopkins Belle" }, user: "b"));
        var grace = await h.OwnerAsync(Identifier.UserId, "g");
        var belle = await h.OwnerAsync(Identifier.UserId, "b");

        async Task<List<long>> Ids(string q, bool anywhere = false) => (await h.Customers.SearchAsync(q, 10, anywhere: anywhere)).Select(x => x.Id).ToList();

        Assert.Equal([grace, belle], await Ids("HOP"));
        Assert.Equal([grace], await Ids("grace hop"));
        Assert.Equal([grace], await Ids("navy.MIL"));
        Assert.Equal([await h.OwnerAsync(Identifier.UserId, "a")], await Ids("turi"));
        Assert.Empty(await Ids("opper")); // the middle of a word: not by default…
        Assert.Equal([grace], await Ids("opper", anywhere: true)); // …but when asked
        var hit = Assert.Single(await h.Customers.SearchAsync("hopper", 10));
        Assert.Equal(("Grace Hopper", "grace@navy.mil"), (hit.Name, hit.Email));
        // Keyset paging: after Grace only Belle is left.
        Assert.Equal([belle], (await h.Customers.SearchAsync("hop", 10, afterId: grace)).Select(x => x.Id));
    }

    [Theory, BothStores]
    public async Task Search_FollowsTheCurrentValue_ALateOlderValueChangesNothing(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await h.SendAsync(Ev.Identify("i1", 10, new JsonObject { ["name"] = "Ann Smith" }, user: "ann"));
        await h.SendAsync(Ev.Identify("i2", 20, new JsonObject { ["name"] = "Ann Jones" }, user: "ann"));
        await h.SendAsync(Ev.Identify("i0", 0, new JsonObject { ["name"] = "Ann Old" }, user: "ann"));
        var ann = await h.OwnerAsync(Identifier.UserId, "ann");

        Assert.Equal([ann], (await h.Customers.SearchAsync("jones", 10)).Select(x => x.Id));
        Assert.Empty(await h.Customers.SearchAsync("smith", 10));
        Assert.Empty(await h.Customers.SearchAsync("old", 10));
        await using var c = await h.Db.OpenAsync();
        Assert.Equal(["ann jones", "jones"], await c.QueryAsync<string>("SELECT term FROM customer_search WHERE customer_id = @ann ORDER BY term", new { ann }));
    }

    [Theory, BothStores]
    public async Task Search_EmailIdentifierWithoutTraits_ByPrefix(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        await using (var c = await h.Db.OpenAsync())
        {
            await c.ExecuteAsync("INSERT INTO identifiers (kind, value, customer_id, first_seen_at) VALUES ('email', 'zed@example.org', 424242, 0)");
        }

        Assert.Equal([424242L], (await h.Customers.SearchAsync("ZED@ex", 10)).Select(x => x.Id));
        Assert.Empty(await h.Customers.SearchAsync("example.org", 10)); // identifiers only by their start; the email trait has the word starts
    }

    [Theory, BothStores]
    public async Task Search_CommonPrefix_WalksCustomersInIdOrder_SamePagesAsTheIndexRange(StoreKind store)
    {
        await using var h = await CoreHarness.CreateAsync(store);
        for (int i = 0; i < 7; i++)
        {
            await h.SendAsync(Ev.Identify($"p{i}", i, new JsonObject { ["name"] = $"Pat Number{i}" }, user: $"pat{i}"));
            await h.SendAsync(Ev.Identify($"z{i}", i, new JsonObject { ["name"] = $"Zed {i}", ["email"] = $"pat.z{i}@example.com" }, user: $"zed{i}"));
        }

        await h.SendAsync(Ev.Identify("o", 9, new JsonObject { ["name"] = "Olga Other" }, user: "olga"));
        var walk = new CustomerQueries(h.Db) { CommonPrefix = 3 }; // "pat" has 14 index entries: common
        var range = new CustomerQueries(h.Db) { CommonPrefix = int.MaxValue };
        var every = (await range.SearchAsync("pat", 100)).Select(x => x.Id).ToList();
        Assert.Equal(14, every.Count); // 7 names, 7 emails (by the email's word start)

        var paged = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await walk.SearchAsync("PAT", 4, afterId: after);
            Assert.Equal((await range.SearchAsync("PAT", 4, afterId: after)).Select(x => (x.Id, x.Name, x.Email)), page.Select(x => (x.Id, x.Name, x.Email)));
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page.Select(x => x.Id));
            after = page[^1].Id;
        }

        Assert.Equal(every, paged);
        Assert.Empty(await walk.SearchAsync("olgx", 4));
        Assert.Single(await walk.SearchAsync("olga", 4));
    }
}
