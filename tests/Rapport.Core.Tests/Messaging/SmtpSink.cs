using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rapport.Core.Tests.Messaging;

/// <summary>
/// A real SMTP server (aiosmtpd from Debian's python3-aiosmtpd, see smtp_sink.py) on a free
/// loopback port, writing each accepted message to a folder. It can be stopped and started
/// again on the same port to play a server that disappears. With CI=true a missing aiosmtpd
/// fails the test; it never silently skips.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private Process? _process;

    private SmtpSink(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    public static async Task<SmtpSink> StartAsync()
    {
        var sink = new SmtpSink(FreePort(), Path.Combine(Path.GetTempPath(), "rapport-smtp-" + Guid.NewGuid().ToString("N")));
        await sink.StartAgainAsync();
        return sink;
    }

    public async Task StartAgainAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Messaging", "smtp_sink.py");
        var start = new ProcessStartInfo("/usr/bin/python3", [script, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Directory])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        if (ready != "READY")
        {
            var error = await process.StandardError.ReadToEndAsync();
            throw new InvalidOperationException($"The SMTP sink did not start (is python3-aiosmtpd installed? scripts/test.sh installs it): {error}");
        }

        _process = process;
    }

    public async Task StopAsync()
    {
        if (_process is { } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            p.Dispose();
            _process = null;
        }
    }

    /// <summary>The messages received so far, oldest first, as raw RFC 5322 text.</summary>
    public IReadOnlyList<string> Messages() =>
        !System.IO.Directory.Exists(Directory)
            ? []
            : System.IO.Directory.GetFiles(Directory, "*.eml")
                .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture))
                .Select(File.ReadAllText)
                .ToList();

    public static MimeKit.MimeMessage Parse(string raw) =>
        MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));

    public async Task<IReadOnlyList<string>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < (timeout ?? TimeSpan.FromSeconds(20)))
        {
            var messages = Messages();
            if (messages.Count >= count)
            {
                return messages;
            }

            await Task.Delay(50);
        }

        return Messages();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
