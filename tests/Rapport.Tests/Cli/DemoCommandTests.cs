using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Rapport.Cli;

using Rapport.Tests.Dashboard;

namespace Rapport.Tests.Cli;

/// <summary>The README's first command, end to end on the real sample data (about a minute).</summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_RealSample_ImportsSimulatesFitsAndServes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rapport-demo-" + Guid.NewGuid().ToString("N"));
        var output = new SyncWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var run = Task.Run(() => RapportCli.RunAsync(["demo", "--dir", dir, "--port", "0"], output, error, stop.Token));

        while (!output.Text.Contains("Press Ctrl+C", StringComparison.Ordinal))
        {
            Assert.False(run.IsCompleted, $"demo ended early: {output.Text}\n{error}");
            await Task.Delay(250, stop.Token);
        }

        var text = output.Text;
        Assert.Contains("541,909 rows: 541,909 imported", text, StringComparison.Ordinal);
        Assert.Matches(@"BG/NBD r=\d", text);
        var url = UrlPattern().Match(text).Groups[1].Value;
        var adminKey = AdminKeyPattern().Match(text).Groups[1].Value;
        var customer = CustomerPattern().Match(text).Groups[1].Value;
        using var http = new HttpClient();
        var status = await http.GetStringAsync(url + "/", stop.Token);
        Assert.Contains("<td id=\"orders\">25,900</td>", status, StringComparison.Ordinal);
        // The dashboard: the URL and a password created on this first start, printed once, that signs in.
        Assert.Contains($"Dashboard:    {url}/dashboard", text, StringComparison.Ordinal);
        var password = PasswordPattern().Match(text).Groups[1].Value;
        using (var dashboard = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }))
        {
            var form = await dashboard.GetStringAsync($"{url}/dashboard", stop.Token);
            var token = AntiforgeryToken.In(form);
            using var signedIn = await dashboard.PostAsync($"{url}/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["password"] = password, ["__RequestVerificationToken"] = token, ["returnUrl"] = "/dashboard",
            }), stop.Token);
            Assert.Contains("<h1>Overview</h1>", await signedIn.Content.ReadAsStringAsync(stop.Token), StringComparison.Ordinal);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(adminKey + ":")));
        var profile = JsonNode.Parse(await http.GetStringAsync($"{url}/v1/customers/{customer}", stop.Token))!;
        Assert.True(profile["orders"]!["orders"]!.GetValue<int>() > 0);
        await stop.CancelAsync();
        await run;

        await using (var c = new SqliteConnection($"Data Source={Path.Combine(dir, "demo.db")};Pooling=false"))
        {
            await c.OpenAsync();
            Assert.Equal(4372L, Scalar(c, "SELECT COUNT(*) FROM identifiers WHERE kind = 'store_customer_no'"));
            // Every customer event is marked simulated; the rest are Rapport's own (Segment Entered).
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM events WHERE origin = 'customer' AND (message_id NOT LIKE 'sim-%' OR context NOT LIKE '%\"simulated\":true%')"));
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM events WHERE origin <> 'customer' AND name <> 'Segment Entered'"));
            Assert.True(Scalar(c, "SELECT COUNT(*) FROM carts WHERE status = 'open'") > 0, "simulated abandoned carts");
            // Needs and segments have something to show: derived categories, needs with clusters, five example segments with members.
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM products WHERE category IS NULL"));
            Assert.True(Scalar(c, "SELECT COUNT(*) FROM customer_affinity WHERE category = 'Christmas'") > 100, "Christmas affinity");
            Assert.True(Scalar(c, "SELECT COUNT(*) FROM customer_needs WHERE cluster IS NOT NULL") > 4000, "customers in needs clusters");
            Assert.Equal(5L, Scalar(c, "SELECT COUNT(*) FROM segments"));
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM segments s WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = s.id)"));
            // Actions decided by the engine, each with an outcome; control groups held out; consent obeyed.
            Assert.Equal(4L, Scalar(c, "SELECT COUNT(*) FROM actions"));
            Assert.True(Scalar(c, "SELECT COUNT(*) FROM decisions WHERE control = 0 AND outcome IN ('accepted', 'ignored')") > 50, "treated decisions with outcomes");
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM decisions WHERE control = 0 AND outcome IS NULL"));
            Assert.True(Scalar(c, "SELECT COUNT(*) FROM decisions WHERE control = 1") > 0, "control groups");
            Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM decisions WHERE channel <> 'email'"));
        }

        Assert.Contains("5 example segments saved now; Platinum customers 217,", text, StringComparison.Ordinal);

        // A second run reuses the store and adds nothing.
        var again = new SyncWriter();
        Assert.Equal(0, await RapportCli.RunAsync(["demo", "--dir", dir, "--no-serve"], again, new StringWriter()));
        Assert.Contains("0 imported, 541,909 already there", again.Text, StringComparison.Ordinal);
        Assert.Contains(", 0 new", again.Text, StringComparison.Ordinal);
        Assert.Contains("0 products categorised now", again.Text, StringComparison.Ordinal);
        Assert.Contains("0 example segments saved now", again.Text, StringComparison.Ordinal);
        Assert.Contains("0 example actions saved now; 0 decided", again.Text, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [GeneratedRegex(@"Status page:\s+(http://\S+?)/\s")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"Sign in with: (\S+)   \(admin password")]
    private static partial Regex PasswordPattern();


    [GeneratedRegex(@"Admin key:\s+(\S+)")]
    private static partial Regex AdminKeyPattern();

    [GeneratedRegex(@"A customer:\s+\S+/v1/customers/(\d+)")]
    private static partial Regex CustomerPattern();

    /// <summary>A writer the test can read while the command writes from another thread.</summary>
    private sealed class SyncWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (_gate)
            {
                base.WriteLine(value);
            }

            return Task.CompletedTask;
        }
    }
}
