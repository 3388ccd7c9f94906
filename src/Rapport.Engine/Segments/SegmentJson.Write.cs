using System.Text.Json.Nodes;

namespace Rapport.Engine.Segments;

/// <summary>Writing a definition in its canonical JSON form (the reader is in SegmentJson.cs).</summary>
public static partial class SegmentJson
{
    public static JsonObject Write(SegmentNode node) => node switch
    {
        AndNode and => new JsonObject { ["and"] = new JsonArray(and.Items.Select(i => (JsonNode)Write(i)).ToArray()) },
        OrNode or => new JsonObject { ["or"] = new JsonArray(or.Items.Select(i => (JsonNode)Write(i)).ToArray()) },
        NotNode not => new JsonObject { ["not"] = Write(not.Item) },
        FieldNode f => WriteField(f),
        EventNode e => WriteEvent(e),
        _ => throw new ArgumentException($"Unknown node {node.GetType().Name}.", nameof(node)),
    };

    private static JsonObject WriteField(FieldNode f)
    {
        var o = new JsonObject { ["field"] = f.Field, ["op"] = CompareOps.Symbol(f.Op) };
        if (f.Op == CompareOp.In)
        {
            o["value"] = new JsonArray(f.Values.Select(WriteLiteral).ToArray());
        }
        else if (f.Op != CompareOp.Exists)
        {
            o["value"] = WriteLiteral(f.Values[0]);
        }

        return o;
    }

    private static JsonObject WriteEvent(EventNode e)
    {
        var selector = new JsonObject { ["type"] = e.Selector.Type };
        if (e.Selector.Name is not null)
        {
            selector["name"] = e.Selector.Name;
        }

        if (e.Selector.Where.Count > 0)
        {
            selector["where"] = new JsonArray(e.Selector.Where
                .Select(w => (JsonNode)new JsonObject { ["property"] = w.Property, ["op"] = CompareOps.Symbol(w.Op), ["value"] = WriteLiteral(w.Value) })
                .ToArray());
        }

        if (e.LastDays is { } days)
        {
            selector["lastDays"] = WriteNumber(days);
        }

        return new JsonObject { ["event"] = selector, ["op"] = CompareOps.Symbol(e.Op), ["count"] = WriteNumber(e.Count) };
    }

    private static JsonNode? WriteLiteral(Literal l) => l.Kind switch
    {
        LiteralKind.Number => WriteNumber(l.Number),
        LiteralKind.Boolean => JsonValue.Create(l.Boolean),
        _ => JsonValue.Create(l.Text),
    };

    /// <summary>Whole numbers as integers (90, not 90.0).</summary>
    private static JsonNode WriteNumber(double d) =>
        d == Math.Floor(d) && Math.Abs(d) < 1e15 ? JsonValue.Create((long)d) : JsonValue.Create(d);
}
