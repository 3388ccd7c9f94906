using Rapport.Engine.Identity;

namespace Rapport.Engine.Tests.Identity;

public sealed class IdentityGraphTests
{
    private static readonly Identifier Anon = new(Identifier.AnonymousId, "device-1");
    private static readonly Identifier Ann = new(Identifier.UserId, "ann");
    private static readonly Identifier Bob = new(Identifier.UserId, "bob");
    private static readonly Identifier AnnMail = new(Identifier.Email, "ann@example.com");

    [Fact]
    public void Resolve_LinkedIdentifiers_FormOneGroup()
    {
        var groups = IdentityGraph.Resolve([], [Link(Anon, Ann, 1), Link(Ann, AnnMail, 2)]);

        var group = Assert.Single(groups);
        Assert.Equal([Ann, AnnMail, Anon], group);
    }

    [Fact]
    public void Resolve_SharedDeviceWithTwoUserIds_NeverMergesThePeople()
    {
        var groups = IdentityGraph.Resolve([], [Link(Anon, Ann, 1), Link(Anon, Bob, 2)]);

        Assert.Equal(2, groups.Count);
        Assert.Contains(groups, g => g.Contains(Ann) && g.Contains(Anon));
        Assert.Contains(groups, g => g.SequenceEqual([Bob]));
    }

    [Fact]
    public void Resolve_SharedDevice_EarliestLinkWinsWhateverTheArrivalOrder()
    {
        var forward = IdentityGraph.Resolve([], [Link(Anon, Bob, 5), Link(Anon, Ann, 9)]);
        var backward = IdentityGraph.Resolve([], [Link(Anon, Ann, 9), Link(Anon, Bob, 5)]);

        Assert.Equal(Render(forward), Render(backward));
        Assert.Contains(forward, g => g.Contains(Bob) && g.Contains(Anon));
    }

    [Fact]
    public void Resolve_ExplicitAlias_JoinsTwoUserIds()
    {
        var groups = IdentityGraph.Resolve([], [Link(Ann, Bob, 1, isExplicit: true)]);

        Assert.Single(groups);
    }

    [Fact]
    public void Resolve_AnyPermutationOfLinks_GivesTheSamePartition()
    {
        var a2 = new Identifier(Identifier.AnonymousId, "device-2");
        var phone = new Identifier(Identifier.Phone, "+4412345");
        var links = new[]
        {
            Link(Anon, Ann, 3), Link(a2, Bob, 1), Link(Anon, a2, 2), Link(phone, Ann, 4), Link(phone, a2, 6), Link(AnnMail, Ann, 5),
        };
        var expected = Render(IdentityGraph.Resolve([], links));
        foreach (var permutation in Permutations(links))
        {
            Assert.Equal(expected, Render(IdentityGraph.Resolve([], permutation)));
        }

        // device-1 and device-2 were linked (t=2) before Ann claimed device-1 (t=3): so Bob, who
        // claimed device-2 at t=1, owns both devices and Ann stays apart.
        Assert.Contains(expected, g => g == "anonymous_id:device-1 anonymous_id:device-2 user_id:bob");
    }

    [Fact]
    public void Resolve_UnlinkedIdentifier_IsItsOwnGroup()
    {
        var groups = IdentityGraph.Resolve([Anon], []);

        Assert.Equal([Anon], Assert.Single(groups));
    }

    [Theory]
    [InlineData(Identifier.Email, " Ann@Example.COM ", "ann@example.com")]
    [InlineData(Identifier.Phone, "+44 (0)20 7946-0018", "+440207946 0018")]
    [InlineData(Identifier.UserId, " U-1 ", "U-1")]
    public void Normalize_Variants_GiveOneCanonicalValue(string kind, string raw, string expected) =>
        Assert.Equal(expected.Replace(" ", "", StringComparison.Ordinal), Identifier.Normalize(kind, raw).Value);

    [Fact]
    public void CompareTo_OrdersStrongestKindFirst()
    {
        var sorted = new[] { Anon, AnnMail, Ann }.Order().ToList();

        Assert.Equal([Ann, AnnMail, Anon], sorted);
    }

    private static IdentityLink Link(Identifier a, Identifier b, long at, bool isExplicit = false) =>
        new(a, b, at, $"m{at}", isExplicit);

    private static List<string> Render(IEnumerable<IReadOnlyList<Identifier>> groups) =>
        groups.Select(g => string.Join(" ", g.Select(i => i.ToString()).Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal).ToList();

    private static IEnumerable<IdentityLink[]> Permutations(IdentityLink[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
