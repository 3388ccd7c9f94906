namespace Rapport.Engine.Segments;

/// <summary>The text is not a definition; <see cref="Error"/> says where and why.</summary>
public sealed class SegmentSyntaxException(SegmentError error) : Exception(error.ToString())
{
    public SegmentError Error { get; } = error;
}
