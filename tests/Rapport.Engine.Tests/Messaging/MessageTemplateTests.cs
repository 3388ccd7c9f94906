using System.Text.Json.Nodes;
using Rapport.Engine.Messaging;

namespace Rapport.Engine.Tests.Messaging;

public class MessageTemplateTests
{
    private static readonly JsonObject Data = new()
    {
        ["customer"] = new JsonObject { ["firstName"] = "Zoë", ["lastName"] = null },
        ["recommendations"] = new JsonArray(
            new JsonObject { ["name"] = "Lamp <LED>", ["price"] = 12.5 },
            new JsonObject { ["name"] = "Desk", ["price"] = 99 }),
        ["offers"] = new JsonArray(),
        ["vip"] = true,
    };

    [Fact]
    public void Render_ValuesFallbacksAndSections()
    {
        var t = MessageTemplate.Parse(
            "Hi {{customer.firstName}} {{customer.lastName|}}!{{#recommendations}} [{{name}} {{price}}]{{/recommendations}}{{^offers}} no offers{{/offers}}{{#vip}} VIP{{/vip}} {{missing.path|friend}}");

        Assert.Equal("Hi Zoë ! [Lamp <LED> 12.5] [Desk 99] no offers VIP friend", t.Render(Data, html: false));
    }

    [Fact]
    public void Render_Html_EscapesValuesButNotTheTemplate()
    {
        var t = MessageTemplate.Parse("<ul>{{#recommendations}}<li>{{name}}</li>{{/recommendations}}</ul>");

        Assert.Equal("<ul><li>Lamp &lt;LED&gt;</li><li>Desk</li></ul>", t.Render(Data, html: true));
    }

    [Fact]
    public void Render_InsideASection_OuterNamesStillResolve()
    {
        var t = MessageTemplate.Parse("{{#recommendations}}{{customer.firstName}}:{{name}};{{/recommendations}}");

        Assert.Equal("Zoë:Lamp <LED>;Zoë:Desk;", t.Render(Data, html: false));
    }

    [Fact]
    public void Roots_AreTheTopLevelNamesOutsideSections()
    {
        var t = MessageTemplate.Parse("{{customer.firstName}}{{#recommendations}}{{name}}{{/recommendations}}{{! a comment }}");

        Assert.Equal(["customer", "recommendations"], t.Roots.Order());
    }

    [Theory]
    [InlineData("Hello {{customer.firstName", 6, "never closed")]
    [InlineData("{{#recs}}x", 0, "never closed; add '{{/recs}}'")]
    [InlineData("{{#a}}x{{/b}}", 7, "closes 'a', opened at position 0")]
    [InlineData("x{{/a}}", 1, "never opened")]
    [InlineData("{{}}", 0, "Empty tag")]
    [InlineData("{{first name}}", 0, "is not a name")]
    public void Parse_BadTemplate_SaysWhereAndWhy(string text, int position, string reason)
    {
        var e = Assert.Throws<TemplateException>(() => MessageTemplate.Parse(text));

        Assert.Equal(position, e.Position);
        Assert.Contains(reason, e.Message);
    }
}
