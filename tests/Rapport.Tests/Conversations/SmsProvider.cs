using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Rapport.Core.Messaging;
using Rapport.Core.Storage;
using Rapport.Tests.Http;

namespace Rapport.Tests.Conversations;

/// <summary>
/// Plays the SMS (or, given "push", the push) provider on real loopback HTTP: receives our
/// outbound messages (a webhook endpoint that checks the signature) and posts customers' texts
/// and its reports on our messages to our webhooks, signed with the same secret.
/// </summary>
internal sealed class SmsProvider : IAsyncDisposable
{
    public const string Secret = "sms-provider-shared-secret-42";

    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public SmsProvider(string channel = "sms")
    {
        Channel = channel;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}/{channel}/send/");
        }

        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public string Channel { get; }

    /// <summary>While set, the provider receives a message but answers only when the task completes (a send in flight).</summary>
    public TaskCompletionSource? HoldReplies { get; set; }

    /// <summary>Outbound texts we sent, with whether their signature checked out.</summary>
    public ConcurrentQueue<(JsonObject Body, bool SignatureValid)> Sent { get; } = new();

    /// <summary>Starts our server with this provider as its webhook for <see cref="Channel"/> (transport and inbound secret).</summary>
    public Task<ApiServer> StartServerAsync(Action<IServiceCollection>? more = null, StoreKind store = StoreKind.Sqlite) =>
        ApiServer.StartAsync(store, configure: s =>
        {
            var webhook = new WebhookOptions(Channel, Url, Secret) { Timeout = TimeSpan.FromSeconds(10) };
            s.AddSingleton(new MessagingOptions { Webhooks = [webhook] });
            s.AddSingleton<IMessageTransport>(sp => new WebhookTransport(webhook, new HttpClient(), sp.GetRequiredService<TimeProvider>()));
            more?.Invoke(s);
        });

    /// <summary>Posts a customer's text to our inbound webhook, signed now (or at <paramref name="signedAt"/>, or with another secret).</summary>
    public static Task<HttpResponseMessage> TextAsync(ApiServer s, object sms, DateTimeOffset? signedAt = null, string secret = Secret, bool sign = true) =>
        PostSignedAsync(s, "/v1/webhooks/sms/inbound", sms, signedAt, secret, sign);

    /// <summary>Posts the provider's report on one of our messages (delivered, opened, replied ...) to /v1/webhooks/{channel}/events, signed now.</summary>
    public static Task<HttpResponseMessage> ReportAsync(ApiServer s, string channel, object report, string secret = Secret, bool sign = true) =>
        PostSignedAsync(s, $"/v1/webhooks/{channel}/events", report, null, secret, sign);

    private static async Task<HttpResponseMessage> PostSignedAsync(ApiServer s, string path, object payload, DateTimeOffset? signedAt, string secret, bool sign)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(payload);
        using var client = s.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (sign)
        {
            var t = (signedAt ?? s.Clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(WebhookSignature.Header, $"t={t},v1={WebhookTransport.Sign(secret, t, body)}");
        }

        return await client.SendAsync(request);
    }

    /// <summary>Waits (30 s at most) for an outbound text.</summary>
    public async Task<(JsonObject Body, bool SignatureValid)> NextSentAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            if (Sent.TryDequeue(out var sent))
            {
                return sent;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No {Channel} message reached the provider within 30 s.");
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var parts = (context.Request.Headers["X-Rapport-Signature"] ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            var valid = parts.TryGetValue("t", out var t) && parts.TryGetValue("v1", out var v1) && v1 == WebhookTransport.Sign(Secret, t, body);
            Sent.Enqueue((JsonNode.Parse(body)!.AsObject(), valid));
            if (HoldReplies is { } hold)
            {
                await hold.Task;
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
