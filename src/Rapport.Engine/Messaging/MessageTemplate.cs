using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Rapport.Engine.Messaging;

/// <summary>A template that does not parse: where and why, for the API's problem details.</summary>
public sealed class TemplateException(string message, int position) : Exception(message)
{
    /// <summary>0-based character offset in the template text.</summary>
    public int Position { get; } = position;
}

/// <summary>
/// A small Mustache subset for per-customer messages: <c>{{path}}</c> (escaped in HTML),
/// <c>{{path|fallback}}</c>, sections <c>{{#list}}…{{/list}}</c> that repeat for each item of
/// an array (or show once for a true/non-empty value), inverted sections <c>{{^path}}…{{/path}}</c>,
/// and <c>{{.}}</c> for the current item. Paths are dotted (<c>traits.firstName</c>) and resolve
/// against the innermost section item first, then outwards, as in Mustache. Parsed once, rendered
/// many times: the outbox renders one template for thousands of customers.
/// </summary>
public sealed class MessageTemplate
{
    private readonly Node[] _nodes;

    private MessageTemplate(Node[] nodes) => _nodes = nodes;

    /// <summary>
    /// The top-level names the template reads outside sections (e.g. "customer",
    /// "recommendations"), to check them when it is saved. Inside a section a name may belong to
    /// the item, so it cannot be checked without data.
    /// </summary>
    public IReadOnlySet<string> Roots { get; private init; } = new HashSet<string>();

    public static MessageTemplate Parse(string text)
    {
        var pos = 0;
        var roots = new HashSet<string>(StringComparer.Ordinal);
        var nodes = ParseNodes(text, ref pos, null, roots);
        return new MessageTemplate(nodes.ToArray()) { Roots = roots };
    }

    /// <summary>Renders with <paramref name="data"/>; <paramref name="html"/> escapes values for HTML.</summary>
    public string Render(JsonObject data, bool html)
    {
        var sb = new StringBuilder();
        var scopes = new List<JsonNode?> { data };
        foreach (var node in _nodes)
        {
            node.Render(sb, scopes, html);
        }

        return sb.ToString();
    }

    private static List<Node> ParseNodes(string text, ref int pos, (string Name, int At)? section, HashSet<string> roots)
    {
        var nodes = new List<Node>();
        while (pos < text.Length)
        {
            var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                nodes.Add(new TextNode(text[pos..]));
                pos = text.Length;
                break;
            }

            if (open > pos)
            {
                nodes.Add(new TextNode(text[pos..open]));
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new TemplateException($"'{{{{' at position {open} is never closed with '}}}}'.", open);
            }

            var tag = text[(open + 2)..close].Trim();
            pos = close + 2;
            if (tag.Length == 0)
            {
                throw new TemplateException($"Empty tag '{{{{}}}}' at position {open}: put a name inside, e.g. {{{{customer.firstName}}}}.", open);
            }

            switch (tag[0])
            {
                case '#' or '^':
                    var name = CheckPath(tag[1..].Trim(), open, section is null ? roots : null);
                    var children = ParseNodes(text, ref pos, (name, open), roots);
                    nodes.Add(new SectionNode(name, tag[0] == '^', children.ToArray()));
                    break;
                case '/':
                    var end = tag[1..].Trim();
                    if (section is null)
                    {
                        throw new TemplateException($"'{{{{/{end}}}}}' at position {open} closes a section that was never opened.", open);
                    }

                    if (end != section.Value.Name)
                    {
                        throw new TemplateException(
                            $"'{{{{/{end}}}}}' at position {open} closes '{section.Value.Name}', opened at position {section.Value.At}; close it with '{{{{/{section.Value.Name}}}}}'.", open);
                    }

                    return nodes;
                case '!':
                    break; // a comment
                default:
                    var bar = tag.IndexOf('|', StringComparison.Ordinal);
                    var path = bar < 0 ? tag : tag[..bar].Trim();
                    nodes.Add(new ValueNode(CheckPath(path, open, section is null ? roots : null), bar < 0 ? null : tag[(bar + 1)..].Trim()));
                    break;
            }
        }

        if (section is { } open1)
        {
            throw new TemplateException($"Section '{open1.Name}' opened at position {open1.At} is never closed; add '{{{{/{open1.Name}}}}}'.", open1.At);
        }

        return nodes;
    }

    private static string CheckPath(string path, int at, HashSet<string>? roots)
    {
        if (path == ".")
        {
            return path;
        }

        if (path.Length == 0 || path.Split('.').Any(p => p.Length == 0 || !p.All(c => char.IsLetterOrDigit(c) || c is '_' or '-')))
        {
            throw new TemplateException($"'{path}' at position {at} is not a name: use letters, digits, '_' and dots, e.g. traits.firstName.", at);
        }

        roots?.Add(path.Split('.')[0]);
        return path;
    }

    private static JsonNode? Resolve(string path, List<JsonNode?> scopes)
    {
        if (path == ".")
        {
            return scopes[^1];
        }

        var parts = path.Split('.');
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            if (scopes[i] is JsonObject o && o.TryGetPropertyValue(parts[0], out var node))
            {
                for (var p = 1; p < parts.Length; p++)
                {
                    node = node is JsonObject child && child.TryGetPropertyValue(parts[p], out var next) ? next : null;
                }

                return node;
            }
        }

        return null;
    }

    private static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonArray a => a.Count > 0,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length > 0,
        _ => true,
    };

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private abstract record Node
    {
        public abstract void Render(StringBuilder sb, List<JsonNode?> scopes, bool html);
    }

    private sealed record TextNode(string Text) : Node
    {
        public override void Render(StringBuilder sb, List<JsonNode?> scopes, bool html) => sb.Append(Text);
    }

    private sealed record ValueNode(string Path, string? Fallback) : Node
    {
        public override void Render(StringBuilder sb, List<JsonNode?> scopes, bool html)
        {
            var text = MessageTemplate.Text(Resolve(Path, scopes));
            if (text.Length == 0)
            {
                text = Fallback ?? "";
            }

            sb.Append(html ? WebUtility.HtmlEncode(text) : text);
        }
    }

    private sealed record SectionNode(string Path, bool Inverted, Node[] Children) : Node
    {
        public override void Render(StringBuilder sb, List<JsonNode?> scopes, bool html)
        {
            var value = Resolve(Path, scopes);
            if (Inverted)
            {
                if (!IsTruthy(value))
                {
                    RenderChildren(sb, scopes, html, value);
                }

                return;
            }

            if (value is JsonArray items)
            {
                foreach (var item in items)
                {
                    RenderChildren(sb, scopes, html, item);
                }
            }
            else if (IsTruthy(value))
            {
                RenderChildren(sb, scopes, html, value);
            }
        }

        private void RenderChildren(StringBuilder sb, List<JsonNode?> scopes, bool html, JsonNode? scope)
        {
            scopes.Add(scope);
            foreach (var child in Children)
            {
                child.Render(sb, scopes, html);
            }

            scopes.RemoveAt(scopes.Count - 1);
        }
    }
}
