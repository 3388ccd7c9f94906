using System.Buffers.Text;
using System.Text;

namespace Rapport.LoadTests.Harness;

/// <summary>One request of a load run: its label (for the per-endpoint table) and its bytes on the wire.</summary>
internal sealed record LoadRequest(string Label, byte[] Bytes);

/// <summary>What the client needs from a reply: its status, the server's own time and GC count (Server-Timing).</summary>
internal readonly record struct WireReply(int Status, float ServerMs, int ServerGen0, long ServerAllocated, bool Close);

/// <summary>
/// HTTP/1.1 written and read by hand, so the load client spends almost nothing per request:
/// requests are serialised once before a run, and a reply is parsed in place from the
/// connection's buffer (status line, Content-Length or chunked body, Server-Timing).
/// </summary>
internal static class HttpWire
{
    public static LoadRequest Request(string label, string method, Uri server, string pathAndQuery, string? authorization = null, string? jsonBody = null)
    {
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder()
            .Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(server.Authority).Append("\r\n");
        if (authorization is not null)
        {
            head.Append("Authorization: ").Append(authorization).Append("\r\n");
        }

        if (jsonBody is not null || method is "POST" or "PUT" or "PATCH")
        {
            head.Append("Content-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("\r\n");
        return new LoadRequest(label, [.. Encoding.ASCII.GetBytes(head.ToString()), .. body]);
    }

    /// <summary>The Authorization header value for a Rapport key (HTTP Basic, key as the user name).</summary>
    public static string Basic(string key) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":"));

    /// <summary>Whether <paramref name="data"/> holds one complete reply; if so, what it says.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out WireReply reply)
    {
        reply = default;
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 || headEnd < 12)
        {
            return false;
        }

        if (!Utf8Parser.TryParse(data.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.1 status line: " + Encoding.ASCII.GetString(data[..Math.Min(40, data.Length)]));
        }

        long contentLength = -1;
        bool chunked = false, close = false;
        float serverMs = float.NaN;
        var gen0 = -1;
        var allocated = -1L;
        var headers = data[(data.IndexOf("\r\n"u8) + 2)..headEnd];
        while (headers.Length > 0)
        {
            var eol = headers.IndexOf("\r\n"u8);
            var line = eol < 0 ? headers : headers[..eol];
            headers = eol < 0 ? [] : headers[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                Utf8Parser.TryParse(value, out contentLength, out _);
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = value.IndexOf("chunked"u8) >= 0;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = System.Text.Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(name, "Server-Timing"u8))
            {
                (serverMs, gen0, allocated) = ServerTiming(value);
            }
        }

        var body = data[(headEnd + 4)..];
        var complete = chunked ? ChunkedComplete(body) : body.Length >= Math.Max(0, contentLength);
        reply = new WireReply(status, serverMs, gen0, allocated, close);
        return complete;
    }

    /// <summary>"app;dur=0.214, gc0;desc=12, alloc;desc=123456" (src/Rapport/Http/DiagnosticServerTiming.cs).</summary>
    private static (float Ms, int Gen0, long Allocated) ServerTiming(ReadOnlySpan<byte> value)
    {
        float ms = float.NaN;
        var gen0 = -1;
        var allocated = -1L;
        var alloc = value.IndexOf("alloc;desc="u8);
        if (alloc >= 0)
        {
            Utf8Parser.TryParse(value[(alloc + 11)..], out allocated, out _);
        }

        var dur = value.IndexOf("dur="u8);
        if (dur >= 0)
        {
            Utf8Parser.TryParse(value[(dur + 4)..], out ms, out _);
        }

        var desc = value.IndexOf("gc0;desc="u8);
        if (desc >= 0)
        {
            Utf8Parser.TryParse(value[(desc + 9)..], out gen0, out _);
        }

        return (ms, gen0, allocated);
    }

    private static bool ChunkedComplete(ReadOnlySpan<byte> body)
    {
        while (true)
        {
            var eol = body.IndexOf("\r\n"u8);
            if (eol < 0 || !Utf8Parser.TryParse(body[..eol], out long size, out _, 'X'))
            {
                return false;
            }

            if (size == 0)
            {
                return body.Length >= eol + 4; // "0\r\n" then the empty trailer line
            }

            var next = eol + 2 + size + 2;
            if (body.Length < next)
            {
                return false;
            }

            body = body[(int)next..];
        }
    }
}
