using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rapport.LoadTests.Messaging;

/// <summary>The real SMTP server the mail scenarios deliver to: aiosmtpd via smtp_sink.py, on a free loopback port.</summary>
internal static class SmtpSinkProcess
{
    /// <summary>Starts the sink writing into <paramref name="dir"/>/mail; null (with a message) when it does not start.</summary>
    public static async Task<(Process Process, int Port)?> StartAsync(string dir)
    {
        var port = FreePort();
        var smtp = Process.Start(new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "smtp_sink.py"), port.ToString(CultureInfo.InvariantCulture), Path.Combine(dir, "mail")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        if (await smtp.StandardOutput.ReadLineAsync() != "READY")
        {
            Console.Error.WriteLine("The SMTP sink did not start: apt-get install python3-aiosmtpd");
            smtp.Dispose();
            return null;
        }

        return (smtp, port);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
