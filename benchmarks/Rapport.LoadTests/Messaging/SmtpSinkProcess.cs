using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rapport.LoadTests.Messaging;

/// <summary>
/// The real SMTP server the mail scenarios deliver to, on a free loopback port, storing every
/// message it accepts as a file under <c>dir/mail</c> (counted at the end to check that every
/// email arrived). Two servers, chosen with <c>--sink</c>:
/// <list type="bullet">
/// <item><c>aiosmtpd</c> (default; Debian's python3-aiosmtpd via smtp_sink.py, the tests' server):
/// single-threaded Python, about 0.3-0.7 ms of CPU per message on this box, so at 1,400-1,600
/// messages/s it holds one of the two cores by itself and sets the ceiling of the run.</item>
/// <item><c>postfix</c> (Postfix's <c>smtp-sink</c>, Debian's postfix package): the SMTP test server
/// Postfix ships for measuring mail clients, in C, with PIPELINING as real MTAs offer it; each
/// message dumped to its own file (<c>-d</c>).</item>
/// </list>
/// </summary>
internal sealed class SmtpSinkProcess : IDisposable
{
    private readonly string _mailDir;

    private SmtpSinkProcess(Process process, int port, string name, string mailDir)
    {
        Process = process;
        Port = port;
        Name = name;
        _mailDir = mailDir;
    }

    public Process Process { get; }

    public int Port { get; }

    /// <summary>Which server: "aiosmtpd" or "postfix smtp-sink".</summary>
    public string Name { get; }

    /// <summary>The server's processor time so far (user + sys).</summary>
    public TimeSpan ProcessorTime => Process.HasExited ? TimeSpan.Zero : Process.TotalProcessorTime;

    /// <summary>The messages stored so far (one file each).</summary>
    public int Received => Directory.Exists(_mailDir) ? Directory.EnumerateFiles(_mailDir, "*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.')) : 0;

    /// <summary>The <c>--sink</c> option of a scenario's arguments: aiosmtpd unless it says postfix.</summary>
    public static string KindFrom(string[] args)
    {
        var i = Array.IndexOf(args, "--sink");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : "aiosmtpd";
    }

    /// <summary>Starts the sink writing into <paramref name="dir"/>/mail; null (with a message) when it does not start.</summary>
    public static async Task<SmtpSinkProcess?> StartAsync(string dir, string kind = "aiosmtpd")
    {
        var port = FreePort();
        var mailDir = Path.Combine(dir, "mail");
        Directory.CreateDirectory(mailDir);
        switch (kind)
        {
            case "aiosmtpd":
            {
                var smtp = Process.Start(new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "smtp_sink.py"), port.ToString(CultureInfo.InvariantCulture), mailDir])
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

                return new SmtpSinkProcess(smtp, port, "aiosmtpd", mailDir);
            }

            case "postfix":
            {
                const string binary = "/usr/sbin/smtp-sink";
                if (!File.Exists(binary))
                {
                    Console.Error.WriteLine("--sink postfix needs Postfix's smtp-sink: apt-get install --no-install-recommends postfix");
                    return null;
                }

                // As root, smtp-sink drops to the postfix user after binding: that user writes the dumps.
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(mailDir, (UnixFileMode)0b111_111_111);
                }
                var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in (string[])["-u", "postfix", "-d", Path.Combine(mailDir, "m."), $"127.0.0.1:{port}", "256"])
                {
                    start.ArgumentList.Add(a);
                }

                var smtp = Process.Start(start)!;
                for (var attempt = 0; attempt < 100; attempt++)
                {
                    if (smtp.HasExited)
                    {
                        break;
                    }

                    try
                    {
                        using var probe = new TcpClient();
                        await probe.ConnectAsync(IPAddress.Loopback, port);
                        return new SmtpSinkProcess(smtp, port, "postfix smtp-sink", mailDir);
                    }
                    catch (SocketException)
                    {
                        await Task.Delay(50);
                    }
                }

                Console.Error.WriteLine($"smtp-sink did not start: {(smtp.HasExited ? await smtp.StandardError.ReadToEndAsync() : "not listening after 5 s")}");
                smtp.Kill();
                smtp.Dispose();
                return null;
            }

            default:
                Console.Error.WriteLine($"--sink: '{kind}' is not aiosmtpd or postfix");
                return null;
        }
    }

    public void Dispose()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Process.Dispose();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
