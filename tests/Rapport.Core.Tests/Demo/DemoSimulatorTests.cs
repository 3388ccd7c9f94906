using Rapport.Core.Demo;
using Rapport.Core.Events;

namespace Rapport.Core.Tests.Demo;

public sealed class DemoSimulatorTests
{
    private static readonly DemoProduct[] Products =
        Enumerable.Range(0, 50).Select(i => new DemoProduct($"SKU{i}", $"Product {i} lamp", 1m + i)).ToArray();

    private static readonly DemoCustomer[] Customers = Enumerable.Range(0, 300)
        .Select(i => new DemoCustomer($"{12000 + i}", [$"SKU{i % 50}"], new DateTimeOffset(2011, 11, 1, 0, 0, 0, TimeSpan.Zero)))
        .ToArray();

    [Fact]
    public void Simulate_SameSeed_SameEvents()
    {
        var first = DemoSimulator.Simulate(Customers, Products).Select(e => (e.MessageId, e.Name, e.OccurredAt)).ToList();
        var second = DemoSimulator.Simulate(Customers, Products).Select(e => (e.MessageId, e.Name, e.OccurredAt)).ToList();

        Assert.Equal(first, second);
    }

    [Fact]
    public void Simulate_EverythingIsMarkedSimulated_AndCoversTheFeatures()
    {
        var events = DemoSimulator.Simulate(Customers, Products).ToList();

        Assert.All(events, e =>
        {
            Assert.StartsWith("sim-", e.MessageId, StringComparison.Ordinal);
            Assert.True(e.Context!["simulated"]!.GetValue<bool>());
        });
        Assert.Contains(events, e => e.Name == EcommerceEvents.ProductAdded);
        Assert.Contains(events, e => e.Name == EcommerceEvents.ProductsSearched);
        Assert.Contains(events, e => e.Type == "identify" && e.Traits!["storeCustomerNumber"] is not null && e.Traits["consent_email_marketing"] is not null);
        Assert.Contains(events, e => e.Channel is Channels.Phone or Channels.Chat);
        Assert.Contains(events, e => e.AnonymousId!.StartsWith("sim-anonymous-", StringComparison.Ordinal));
    }
}
