using System.Text;
using Rapport.Core.Storage;

namespace Rapport.Core.Tests.Storage;

public sealed class TextInternerTests
{
    [Fact]
    public void Get_SameBytes_SameInstance_DifferentBytes_TheirOwnText()
    {
        var interner = new TextInterner();
        var prefix = new string('x', 40); // the recent-texts hash reads 32 bytes: these two clash there
        var texts = new[] { "track", "page", "Product Viewed", "Café", "", prefix + "a", prefix + "b", "web", "Web" };

        var first = texts.Select(t => interner.Get(Encoding.UTF8.GetBytes(t))).ToList();
        for (var round = 0; round < 3; round++)
        {
            foreach (var (t, i) in texts.Select((t, i) => (t, i)).Reverse())
            {
                var again = interner.Get(Encoding.UTF8.GetBytes(t));
                Assert.Equal(t, again);
                Assert.Same(first[i], again);
            }
        }

        Assert.Equal(texts, first);
        Assert.Same(first[0], interner.Get("track"));
    }
}
