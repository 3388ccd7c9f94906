using Rapport.Core.Messaging;

namespace Rapport.Hosting;

internal static class MessagingServices
{
    public static IServiceCollection AddMessaging(this IServiceCollection services, MessagingOptions? options)
    {
        var o = options ?? new MessagingOptions();
        services.AddSingleton(o);
        services.AddSingleton<MessagingSecrets>();
        services.AddSingleton<MessageLinks>();
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<MessageComposer>();
        services.AddSingleton<OutboxEvents>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<IContactGate, SuppressionGate>();
        services.AddSingleton<ConsentGate>();
        services.AddSingleton<IContactGate>(sp => sp.GetRequiredService<ConsentGate>());
        services.AddSingleton<IOutboxCompletion>(sp => sp.GetRequiredService<ConsentGate>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<MessageFeedback>();
        if (o.Smtp is { } smtp)
        {
            services.AddSingleton<IMessageTransport>(sp => new SmtpTransport(smtp, sp.GetRequiredService<MessageLinks>(), sp.GetService<IEmailParts>()));
        }

        foreach (var webhook in o.Webhooks)
        {
            services.AddSingleton<IMessageTransport>(sp => new WebhookTransport(webhook, new HttpClient(), sp.GetRequiredService<TimeProvider>()));
        }

        return services;
    }
}
