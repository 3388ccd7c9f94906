namespace Rapport.Dashboard.Pages.Preferences;

/// <summary>The words the customer reads for Rapport's names of purposes, channels and identifiers.</summary>
internal static class PreferencesText
{
    public static string Purpose(string purpose) => purpose switch
    {
        "marketing" => "News and offers",
        "personalisation" => "Personalised content",
        "profiling" => "Learning your preferences",
        "analytics" => "Statistics",
        "partner_sharing" => "Sharing with partners",
        _ => purpose,
    };

    public static string PurposeHelp(string purpose) => purpose switch
    {
        "marketing" => "offers, news and reminders",
        "personalisation" => "suggestions chosen for you",
        "profiling" => "what you value and buy, to choose better offers",
        "analytics" => "counting visits and sales, never to contact you",
        "partner_sharing" => "offers from companies we work with",
        _ => "",
    };

    public static string Channel(string channel) => channel switch
    {
        "email" => "Email",
        "sms" => "SMS",
        "push" => "App notifications",
        "phone" => "Phone",
        "post" => "Post",
        "web" => "Our website",
        "app" => "Our app",
        "store" => "In store",
        "chat" => "Chat",
        _ => channel,
    };

    public static string Count(int n, string noun) => $"{n.ToString(System.Globalization.CultureInfo.InvariantCulture)} {noun}{(n == 1 ? "" : "s")}";

    public static string Identifier(string kind) => kind switch
    {
        "user_id" => "Account",
        "anonymous_id" => "Browser or device",
        "email" => "Email address",
        "phone" => "Phone number",
        "loyalty_card" => "Loyalty card",
        "store_customer_no" => "Store customer number",
        _ => kind,
    };
}
