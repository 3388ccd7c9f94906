using Rapport.Core.Conversations;
using Rapport.Http.Chat;

namespace Rapport.Hosting;

/// <summary>Conversations: staff and account managers, threads, inbound email and SMS, attachments, the live chat (SignalR) and the profile panel.</summary>
internal static class ConversationServices
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<ConversationQueries>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<InboundMail>();
        // Staff answers on the email channel go out through the outbox (registered by the server).
        services.AddSingleton<IConversationDelivery, EmailDelivery>();
        services.AddSingleton<Rapport.Core.Messaging.IEmailParts, ConversationEmailParts>();
        // Inbound SMS (keywords change consent), answers by SMS through the outbox, and the
        // gate that keeps texts from anyone who texted STOP; files kept with messages.
        services.AddSingleton<InboundTexts>();
        services.AddSingleton<IConversationDelivery, SmsDelivery>();
        // Answers to push notifications (reported by the provider) and staff answers by push.
        services.AddSingleton<ProviderReplies>();
        services.AddSingleton<IConversationDelivery, PushDelivery>();
        services.AddSingleton<Rapport.Core.Messaging.IContactGate, SmsStopGate>();
        services.AddSingleton(sp => AttachmentSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<AttachmentStore>();
        services.AddSingleton<ChatPresence>();
        services.AddSingleton<Core.Staff.SignInThrottle>();
        services.AddSingleton<ChatRouter>();
        services.AddSingleton<VisitorTokens>();
        services.AddSingleton<ChatFileLinks>();
        services.AddSingleton<IConversationListener, ChatBroadcaster>();
        services.AddSingleton<Dashboard.Panels.IProfilePanel, Dashboard.Panels.ConversationsPanel>();
        services.AddSignalR();
        return services;
    }
}
