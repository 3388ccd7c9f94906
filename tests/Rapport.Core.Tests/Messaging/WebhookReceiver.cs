using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rapport.Core.Messaging;

namespace Rapport.Core.Tests.Messaging;

/// <summary>
/// A provider's webhook endpoint on a real loopback HTTP listener. Each request is checked
/// against the signature scheme and recorded; replies follow <see cref="Script"/> (a status per
/// request, or a delay to play a provider that hangs), then 200.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver(string secret)
    {
        Secret = secret;
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/hook/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Secret { get; }

    public Uri Url { get; }

    /// <summary>Replies for the next requests: a status code, or a negative number = hang that many ms.</summary>
    public ConcurrentQueue<int> Script { get; } = new();

    public ConcurrentQueue<(string Body, string IdempotencyKey, bool SignatureValid)> Requests { get; } = new();

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

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var header = context.Request.Headers["X-Rapport-Signature"] ?? "";
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var valid = parts.TryGetValue("t", out var t) && parts.TryGetValue("v1", out var v1) && v1 == WebhookTransport.Sign(Secret, t, body);
        Requests.Enqueue((body, context.Request.Headers["Idempotency-Key"] ?? "", valid));
        var status = Script.TryDequeue(out var next) ? next : 200;
        try
        {
            if (status < 0)
            {
                await Task.Delay(-status);
                status = 200;
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // the client gave up (timeout): nothing to answer
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
