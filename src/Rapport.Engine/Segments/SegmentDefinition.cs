using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rapport.Engine.Segments;

/// <summary>The outcome of reading a definition: the definition, or every mistake with its position.</summary>
public sealed record SegmentParseResult(SegmentDefinition? Definition, IReadOnlyList<SegmentError> Errors)
{
    public bool Ok => Definition is not null;
}

/// <summary>
/// A valid segment definition. Build one with <see cref="Parse"/> (text form) or
/// <see cref="FromJson(JsonNode?, SegmentFields?, string)"/>; <see cref="Text"/> and
/// <see cref="ToJson"/> give the canonical forms, which read back to the same definition.
/// </summary>
public sealed class SegmentDefinition
{
    public const int MaxTextLength = 20_000;

    private SegmentDefinition(SegmentNode root)
    {
        Root = root;
        Text = SegmentText.Write(root);
    }

    public SegmentNode Root { get; }

    /// <summary>The canonical text form.</summary>
    public string Text { get; }

    public JsonObject ToJson() => SegmentJson.Write(Root);

    /// <summary>Compact JSON with operators written as themselves ("&gt;=", not "\u003E=").</summary>
    public string ToJsonString() => ToJson().ToJsonString(JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static SegmentParseResult Parse(string text, SegmentFields? fields = null)
    {
        if (text.Length > MaxTextLength)
        {
            return Fail(new SegmentError(SourcePosition.AtColumn(1, 1), $"a definition is at most {MaxTextLength} characters"));
        }

        SegmentNode root;
        try
        {
            root = SegmentTextParser.Parse(text);
        }
        catch (SegmentSyntaxException ex)
        {
            return Fail(ex.Error);
        }

        return Validated(root, fields);
    }

    public static SegmentParseResult FromJson(JsonNode? json, SegmentFields? fields = null, string path = "$")
    {
        var errors = new List<SegmentError>();
        var root = SegmentJson.Read(json, path, errors);
        return root is null ? new SegmentParseResult(null, errors) : Validated(root, fields);
    }

    public static SegmentParseResult FromJson(string json, SegmentFields? fields = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            return Fail(new SegmentError(
                SourcePosition.AtColumn((int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1), "this is not valid JSON"));
        }

        return FromJson(node, fields);
    }

    private static SegmentParseResult Validated(SegmentNode root, SegmentFields? fields)
    {
        var errors = SegmentValidator.Validate(root, fields ?? SegmentFields.Default);
        return errors.Count > 0 ? new SegmentParseResult(null, errors) : new SegmentParseResult(new SegmentDefinition(root), []);
    }

    private static SegmentParseResult Fail(SegmentError error) => new(null, [error]);
}
