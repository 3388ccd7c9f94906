namespace Rapport.Core.Storage;

/// <summary>
/// Every feature's schema steps in one ordered list. Version ranges per feature keep parallel
/// work from colliding: 100s keys, 200s events, 300s identity, 400s customers, 500s commerce,
/// 600s+ later features; 1100s dashboard.
/// </summary>
public static class Schema
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        .. Keys.KeysSchema.Migrations,
        .. Events.EventsSchema.Migrations,
        .. Identity.IdentitySchema.Migrations,
        .. Customers.CustomersSchema.Migrations,
        .. Commerce.CommerceSchema.Migrations,
        .. Commerce.CommerceImportSchema.Migrations,
        .. Value.ValueSchema.Migrations,
        .. Segments.SegmentsSchema.Migrations,
        .. Messaging.MessagingSchema.Migrations,
        .. Needs.NeedsSchema.Migrations,
        .. Consent.ConsentSchema.Migrations,
        .. Actions.ActionsSchema.Migrations,
        .. Loyalty.LoyaltySchema.Migrations,
        .. Dashboard.DashboardSchema.Migrations,
        .. Customers.CustomerSearchSchema.Migrations,
        .. Journeys.JourneysSchema.Migrations,
        .. Preferences.PreferencesSchema.Migrations,
        .. Conversations.ConversationsSchema.Migrations,
        .. Erasure.ErasureSchema.Migrations,
        .. Journeys.JourneyTasksSchema.Migrations,
        .. Dashboard.DashboardKeysSchema.Migrations,
        .. Events.OwnEventsSchema.Migrations,
        .. Staff.StaffSchema.Migrations,
        .. Preferences.LinkRequestsSchema.Migrations,
        .. Conversations.AttachmentsSchema.Migrations,
        .. Events.Intake.IntakeSchema.Migrations,
        .. Analytics.AnalyticsMarkersSchema.Migrations,
    ];
}
