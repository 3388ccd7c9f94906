using Dapper;
using Microsoft.Extensions.Time.Testing;
using Rapport.Core.Commerce;
using Rapport.Core.Consent;
using Rapport.Core.Customers;
using Rapport.Core.Events;
using Rapport.Core.Identity;
using Rapport.Core.Loyalty;
using Rapport.Core.Storage;
using Rapport.Core.Tests.Storage;
using Rapport.Core.Value;
using Rapport.Engine.Loyalty;

namespace Rapport.Core.Tests.Loyalty;

/// <summary>The real write path with the loyalty projection (after orders and value, as the server registers it) over a fresh store.</summary>
internal sealed class LoyaltyHarness : IAsyncDisposable
{
    private LoyaltyHarness(TestDatabase db)
    {
        Db = db;
        var identity = new IdentityResolver();
        var population = new ValuePopulationCache();
        Programs = new LoyaltyProgramStore(db, Clock);
        var events = Events = new EventWriter(identity, [new TraitsProjection(), new OrderProjection(), new ValueProjection(population), new LoyaltyProjection(Programs), new DonationProjection(Programs)]);
        Writer = new StoreWriter(db, Clock, [new CustomerStateRebuilder(events)]);
        Pipeline = new EventPipeline(Writer, events);
        ProgramWriter = new LoyaltyProgramWriter(Writer, Programs);
        Ledger = new LoyaltyLedger(Writer, Programs, population);
        Queries = new LoyaltyQueries(db, Programs, Clock);
        Expiry = new LoyaltyExpiry(Writer, Programs);
        Rewards = new RewardsCatalogue(Writer);
        Reciprocity = new ReciprocityQueries(db, Programs);
        Customers = new CustomerQueries(db);
        Costs = new CustomerCosts(Writer, population);
        Subscriptions = new Subscriptions(Writer, Clock);
        Merges = new Merges(db, Writer, identity);
        Causes = new Causes(Writer, Programs);
        Donations = new Donations(Writer, Programs);
        CauseReports = new CauseReports(db);
        Surprises = new SurprisePrograms(Writer);
        SurpriseRunner = new SurpriseRunner(Writer, new ContactPolicy(db, new ConsentOptions()), population);
        SurpriseEffects = new SurpriseEffects(Writer, Clock);
    }

    public EventWriter Events { get; }

    public SurprisePrograms Surprises { get; }

    public SurpriseRunner SurpriseRunner { get; }

    public SurpriseEffects SurpriseEffects { get; }

    public Causes Causes { get; }

    public Donations Donations { get; }

    public CauseReports CauseReports { get; }

    public Merges Merges { get; }

    public Subscriptions Subscriptions { get; }

    public TestDatabase Db { get; }

    /// <summary>Starts after the events the tests send (February 2026), so orders are in the past.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public StoreWriter Writer { get; }

    public EventPipeline Pipeline { get; }

    public LoyaltyProgramStore Programs { get; }

    public LoyaltyProgramWriter ProgramWriter { get; }

    public LoyaltyLedger Ledger { get; }

    public LoyaltyQueries Queries { get; }

    public LoyaltyExpiry Expiry { get; }

    public RewardsCatalogue Rewards { get; }

    public ReciprocityQueries Reciprocity { get; }

    public CustomerQueries Customers { get; }

    public CustomerCosts Costs { get; }

    public static async Task<LoyaltyHarness> CreateAsync(StoreKind kind, LoyaltyProgram? program = null)
    {
        var h = new LoyaltyHarness(await TestStores.CreateAsync(kind));
        if (program is not null)
        {
            await h.ProgramWriter.SaveAsync(program);
        }

        return h;
    }

    public Task<IngestResult> SendAsync(params IncomingEvent[] events) => Pipeline.IngestAsync(events);

    public async Task<long> CustomerAsync(string userId) =>
        await Customers.LookupAsync("user_id", userId) ?? throw new InvalidOperationException($"nobody has user_id {userId}");

    public async Task<long> BalanceAsync(long customer) => (await Queries.AccountAsync(customer))!.Balance;

    /// <summary>The ledger invariant in the store: every lot's remaining is the sum of its entries, and no earn lot is negative.</summary>
    public async Task AssertBalancedAsync()
    {
        await using var c = await Db.OpenAsync();
        var off = await c.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM loyalty_lots l
            WHERE l.remaining <> (SELECT COALESCE(SUM(e.points), 0) FROM loyalty_entries e WHERE e.lot_id = l.id)
               OR (l.kind = 'earn' AND (l.remaining < 0 OR l.remaining > l.points))
               OR (l.kind = 'debt' AND (l.remaining > 0 OR l.remaining < l.points))
            """);
        Assert.Equal(0L, off);
        Assert.Equal(
            await c.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(points), 0) FROM loyalty_entries"),
            await c.ExecuteScalarAsync<long>("SELECT COALESCE(SUM(remaining), 0) FROM loyalty_lots"));
    }

    public async ValueTask DisposeAsync()
    {
        await Pipeline.DisposeAsync();
        Writer.Dispose();
        await Db.DisposeAsync();
    }
}
