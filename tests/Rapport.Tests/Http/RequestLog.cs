using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Xunit.Sdk;

namespace Rapport.Tests.Http;

/// <summary>
/// Every request a test server answers (method, path, status, duration), and when it started,
/// in a file per server under TestResults/requests (kept with the screenshots as an artefact),
/// with a line where each test begins and ends (<see cref="TestMarkersAttribute"/>). The
/// servers' own logging is off; when a browser test times out this file says where the time
/// went: which request was slow, which one never finished, or that no request came at all.
/// </summary>
internal sealed class RequestLog : IDisposable
{
    private static readonly ConcurrentDictionary<RequestLog, byte> Open = new();
    private static int _count;
    private readonly StreamWriter _file;
    private readonly Stopwatch _since = Stopwatch.StartNew();

    public RequestLog(string name)
    {
        var dir = Path.Combine(Path.GetDirectoryName(Dashboard.DashboardFixture.ScreenshotDir)!, "requests");
        Directory.CreateDirectory(dir);
        FilePath = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{name}-{Environment.ProcessId}-{Interlocked.Increment(ref _count)}.log"));
        _file = new StreamWriter(FilePath) { AutoFlush = true };
        Write($"server started {TimeProvider.System.GetUtcNow():O}");
        Open[this] = 0;
    }

    public string FilePath { get; }

    /// <summary>Logs each request as it starts and as it ends (a request that hangs shows as a start without an end).</summary>
    public void Use(WebApplication app) => app.Use(async (context, next) =>
    {
        var request = $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}";
        var started = Stopwatch.GetTimestamp();
        Write($"-> {request}");
        try
        {
            await next(context);
            Write(string.Create(CultureInfo.InvariantCulture, $"<- {request} {context.Response.StatusCode} {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
        }
        catch (Exception e)
        {
            Write(string.Create(CultureInfo.InvariantCulture, $"<- {request} threw {e.GetType().Name} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
            throw;
        }
    });

    /// <summary>The last lines, for a failure message.</summary>
    public string Tail(int lines = 40)
    {
        lock (_file)
        {
            var all = File.ReadAllLines(FilePath);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
    }

    public static IEnumerable<RequestLog> All => Open.Keys;

    public static void MarkAll(string text)
    {
        foreach (var log in Open.Keys)
        {
            log.Write(text);
        }
    }

    public void Write(string line)
    {
        lock (_file)
        {
            _file.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_since.Elapsed.TotalSeconds,9:0.000} s  {line}"));
        }
    }

    public void Dispose()
    {
        Open.TryRemove(this, out _);
        lock (_file)
        {
            _file.Dispose();
        }
    }
}

/// <summary>Writes "test X begins/ends" into every open request log (applied to the whole test assembly).</summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class TestMarkersAttribute : BeforeAfterTestAttribute
{
    /// <summary>A test this slow is close to its browser timeouts (90 s): its requests are printed to the test run's error output.</summary>
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(45);

    private static readonly AsyncLocal<long> Started = new();

    public override void Before(MethodInfo methodUnderTest)
    {
        Started.Value = Stopwatch.GetTimestamp();
        RequestLog.MarkAll($"=== {Name(methodUnderTest)} begins");
    }

    public override void After(MethodInfo methodUnderTest)
    {
        var took = Stopwatch.GetElapsedTime(Started.Value);
        RequestLog.MarkAll(string.Create(CultureInfo.InvariantCulture, $"=== {Name(methodUnderTest)} ends after {took.TotalSeconds:0.0} s"));
        if (took > Slow)
        {
            foreach (var log in RequestLog.All)
            {
                Console.Error.WriteLine($"{Name(methodUnderTest)} took {took.TotalSeconds:0} s; the requests of {log.FilePath} (last 40 lines):{Environment.NewLine}{log.Tail()}");
            }
        }
    }

    private static string Name(MethodInfo m) => $"{m.DeclaringType?.Name}.{m.Name}";
}
