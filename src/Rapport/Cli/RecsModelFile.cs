using System.Text;
using Rapport.Engine.Recommendations;

namespace Rapport.Cli;

/// <summary>A trained SAR model with the names behind its ids, as `rapport recs train` saves it.</summary>
internal sealed record SavedSarModel(SarModel Model, IReadOnlyList<string> Users, IReadOnlyList<string> Items, SimilarityKind Similarity, double HalfLifeDays);

/// <summary>
/// The model file: a small binary format (magic, version, settings, ids, then the sparse arrays
/// as raw little-endian blocks), so `recs top` loads millions of entries without parsing text.
/// </summary>
internal static class RecsModelFile
{
    private const string Magic = "RAPPORT-SAR";
    private const int Version = 1;

    public static void Write(string path, SavedSarModel saved)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write(Magic);
        w.Write(Version);
        w.Write((int)saved.Similarity);
        w.Write(saved.HalfLifeDays);
        w.Write(saved.Model.ReferenceTime);
        WriteStrings(w, saved.Users);
        WriteStrings(w, saved.Items);
        WriteMatrix(w, saved.Model.Similarity);
        WriteMatrix(w, saved.Model.Affinity);
        WriteArray<float>(w, saved.Model.Popularity);
    }

    public static SavedSarModel Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--model {path} does not exist; create it with `rapport recs train --interactions FILE --model {path}`.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            if (r.ReadString() != Magic || r.ReadInt32() != Version)
            {
                throw new InvalidDataException($"{path} is not a model written by `rapport recs train` (version {Version}); train it again.");
            }

            var similarity = (SimilarityKind)r.ReadInt32();
            double halfLife = r.ReadDouble();
            long reference = r.ReadInt64();
            var users = ReadStrings(r);
            var items = ReadStrings(r);
            var model = new SarModel(ReadMatrix(r), ReadMatrix(r), ReadArray<float>(r), reference);
            return new SavedSarModel(model, users, items, similarity, halfLife);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{path} is truncated or damaged ({e.Message}); train it again.");
        }
    }

    private static void WriteStrings(BinaryWriter w, IReadOnlyList<string> values)
    {
        w.Write(values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static string[] ReadStrings(BinaryReader r)
    {
        var values = new string[Count(r)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }

    private static void WriteMatrix(BinaryWriter w, SparseRows m)
    {
        w.Write(m.RowCount);
        w.Write(m.ColumnCount);
        WriteArray<int>(w, m.Starts);
        WriteArray<int>(w, m.ColumnIds);
        WriteArray<float>(w, m.Values);
    }

    private static SparseRows ReadMatrix(BinaryReader r)
    {
        int rows = Count(r), columns = Count(r);
        return new SparseRows(rows, columns, ReadArray<int>(r), ReadArray<int>(r), ReadArray<float>(r));
    }

    private static void WriteArray<T>(BinaryWriter w, T[] values)
        where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[] ReadArray<T>(BinaryReader r)
        where T : unmanaged
    {
        var values = new T[Count(r)];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        r.BaseStream.ReadExactly(bytes); // BinaryReader reads no further ahead than asked
        return values;
    }

    private static int Count(BinaryReader r)
    {
        int n = r.ReadInt32();
        return n is >= 0 and < 1 << 30 ? n : throw new InvalidDataException($"an array length of {n}");
    }
}
