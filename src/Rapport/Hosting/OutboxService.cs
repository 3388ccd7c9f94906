using Rapport.Core.Messaging;

namespace Rapport.Hosting;

/// <summary>
/// Sends what the outbox holds, one loop per transport: rounds back to back while messages are
/// due, otherwise sleeps until the next is due, something is enqueued, or 5 s pass (another
/// node may have enqueued). Started with the server; a channel without a transport (no SMTP
/// configured) just waits in the outbox.
/// </summary>
internal sealed class OutboxService(
    Outbox outbox, OutboxDispatcher dispatcher, MessagingSecrets secrets, IEnumerable<IMessageTransport> transports, TimeProvider clock, ILogger<OutboxService> log)
    : BackgroundService
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        outbox.Enqueued += Wake;
        try
        {
            await secrets.LoadAsync(stoppingToken);
            await Task.WhenAll(transports.Select(t => RunAsync(t, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            outbox.Enqueued -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task RunAsync(IMessageTransport transport, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.RunOnceAsync(transport, ct) > 0)
                {
                    continue;
                }

                var sleep = MaxSleep;
                if (await outbox.NextDueAsync(transport.Channel, ct) is { } due)
                {
                    var wait = due - clock.GetUtcNow();
                    sleep = wait < TimeSpan.Zero ? TimeSpan.Zero : wait < MaxSleep ? wait : MaxSleep;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(sleep);
                try
                {
                    await _wake.WaitAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // slept the whole time: look again
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Outbox round for {Channel} failed; trying again shortly", transport.Channel);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
