using Rapport.Core.Conversations;
using Rapport.Http.Chat;

namespace Rapport.Hosting;

/// <summary>Conversations: staff and account managers, threads, inbound email, the live chat (SignalR) and the profile panel.</summary>
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
        services.AddSingleton<ChatPresence>();
        services.AddSingleton<ChatRouter>();
        services.AddSingleton<VisitorTokens>();
        services.AddSingleton<IConversationListener, ChatBroadcaster>();
        services.AddSingleton<Dashboard.Panels.IProfilePanel, Dashboard.Panels.ConversationsPanel>();
        services.AddSignalR();
        return services;
    }
}
