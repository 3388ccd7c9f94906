using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Rapport.Core.Analytics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rapport.Core.Dashboard;
using Rapport.Core.Staff;
using Rapport.Core.Storage;

namespace Rapport.Dashboard;

/// <summary>
/// The dashboard: Razor Pages under /dashboard behind a cookie sign-in (the built-in admin or a staff member, DashboardUser), the analytics
/// cache they read, and the stylesheet. The /v1 API keeps its API-key auth (ApiKeyAuth).
/// </summary>
internal static class DashboardServices
{
    public const string Root = "/dashboard";
    public const string SignInPath = Root + "/sign-in";
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(8);

    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new ReportWarming(configuration.GetValue("Rapport:Dashboard:WarmReports", true)));
        services.AddSingleton(new ReportFreshness(
            TimeSpan.FromMinutes(configuration.GetValue("Rapport:Dashboard:ReportMaxAgeMinutes", ReportFreshness.Default.MaxAge.TotalMinutes)),
            TimeSpan.FromMinutes(configuration.GetValue("Rapport:Dashboard:ReportUnchangedMaxAgeMinutes", ReportFreshness.Default.UnchangedMaxAge.TotalMinutes))));
        services.AddHostedService<ReportWarmer>();
        services.AddSingleton(new ReportWaiting(configuration.GetValue<int?>("Rapport:Dashboard:ReportWaitMilliseconds") is { } wait ? TimeSpan.FromMilliseconds(wait) : ReportWaiting.Default));
        services.AddSingleton<Panels.IProfilePanel, Panels.ConsentPanel>();
        services.AddSingleton<Panels.IProfilePanel, Panels.NeedsPanel>();
        services.AddSingleton<Panels.IProfilePanel, Panels.LoyaltyPanel>();
        services.AddSingleton<Panels.IProfilePanel, Panels.DecisionsPanel>();
        services.AddSingleton<NeedsOverview>().AddSingleton<ConsentOverview>().AddSingleton<PopulationReports>().AddSingleton<NeedsClusterMembers>()
            .AddSingleton<Rapport.Core.Segments.SegmentMemberList>();
        var password = configuration["Rapport:AdminPassword"];
        services.AddSingleton(sp => new AdminCredentials(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(), password));
        services.TryAddSingleton<StaffAccounts>();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/");
            // Admins manage staff, keys and erasure; staff work the inbox, customers and segments.
            o.Conventions.AuthorizeFolder("/Settings", DashboardUser.AdminPolicy);
            o.Conventions.AuthorizeFolder("/Erasure", DashboardUser.AdminPolicy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToFolder("/Preferences"); // the customer's own page: the signed link is the key
            o.Conventions.ConfigureFilter(new TypeFilterAttribute(typeof(ReportWaitFilter)));
        }).ConfigureApplicationPartManager(parts =>
        {
            // The pages live in this assembly; when another program hosts it (the tests) the
            // entry assembly is not this one, so name it explicitly, once.
            var self = typeof(DashboardServices).Assembly;
            if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == self))
            {
                // The factory gives the compiled Razor pages' part as well as the types' part.
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(self).GetApplicationParts(self))
                {
                    parts.ApplicationParts.Add(part);
                }
            }
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = SignInPath;
            o.LogoutPath = Root + "/sign-out";
            o.AccessDeniedPath = SignInPath; // not used: OnRedirectToAccessDenied answers 403 in place
            o.ReturnUrlParameter = "returnUrl";
            o.Cookie.Name = "rapport_dashboard";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.Path = Root;
            o.ExpireTimeSpan = SessionLength;
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context =>
            {
                // A request that still carries our cookie had a session that ran out: say so.
                var expired = context.Request.Cookies.ContainsKey(o.Cookie.Name!);
                var target = expired ? QueryString(context.RedirectUri, "expired", "1") : context.RedirectUri;
                context.Response.Redirect(target);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = context => DashboardUser.ForbiddenAsync(context.HttpContext);
            o.Events.OnValidatePrincipal = DashboardUser.ValidateAsync;
        });
        services.AddAuthorization(o => o.AddPolicy(DashboardUser.AdminPolicy, p => p.RequireRole(StaffRoles.Admin)));
        services.AddAntiforgery(o => o.Cookie.Name = "rapport_antiforgery");
        // The cookie keys live in the store (StoreKeyRing, table dashboard_keys): a restart, or
        // another node on the same store, reads the same ring, so sessions and anti-forgery tokens
        // survive. One application name, so every node and install path shares the ring.
        services.AddDataProtection().SetApplicationName("rapport");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IDatabase, TimeProvider>((o, database, clock) => o.XmlRepository = new StoreKeyRing(database, clock));
        return services;
    }

    public static void MapDashboard(this WebApplication app)
    {
        app.UseServerTiming();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapGet(Root + "/site.css", () => Results.Text(Stylesheet.Value, "text/css")).ExcludeFromDescription();
        app.MapGet(Root + "/inbox.js", () => Results.Text(DashboardAssets.InboxScript.Value, "text/javascript")).ExcludeFromDescription();
    }

    public static ClaimsPrincipal Admin() => DashboardUser.BuiltInAdmin();

    public static AuthenticationProperties Session(TimeProvider clock) =>
        new() { IsPersistent = false, IssuedUtc = clock.GetUtcNow(), ExpiresUtc = clock.GetUtcNow() + SessionLength };

    private static string QueryString(string uri, string name, string value) =>
        uri + (uri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + name + "=" + value;

    /// <summary>The stylesheet, embedded from Dashboard/site.css so the executable needs no wwwroot.</summary>
    private static readonly Lazy<string> Stylesheet = new(() =>
    {
        using var stream = typeof(DashboardServices).Assembly.GetManifestResourceStream("Rapport.Dashboard.site.css")
            ?? throw new InvalidOperationException("Dashboard/site.css is not embedded in the executable.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
