using System.IO.Compression;
using System.Text;

namespace Rapport.Core.Import;

/// <summary>
/// An input file opened for reading: plain or gzip (told by the magic bytes 1F 8B, not by the
/// name), decoded as UTF-8 with or without a byte-order mark. Progress is measured on the file
/// itself, so a gzipped file reports compressed bytes against its compressed length.
/// </summary>
public sealed class ImportFile : IDisposable
{
    private readonly FileStream _file;

    private ImportFile(string path, FileStream file, bool gzip, TextReader reader)
    {
        Path = path;
        _file = file;
        IsGzip = gzip;
        Reader = reader;
        Length = file.Length;
    }

    public string Path { get; }

    public bool IsGzip { get; }

    public TextReader Reader { get; }

    public long Length { get; }

    /// <summary>Bytes of the file consumed so far (read ahead by up to one buffer).</summary>
    public long Position => _file.CanSeek ? _file.Position : 0;

    public static ImportFile Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ImportInputException($"{path} is a directory, not a CSV file.");
        }

        if (!File.Exists(path))
        {
            throw new ImportInputException($"File not found: {path}");
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportInputException($"Cannot read {path}: {e.Message}");
        }

        var gzip = IsGzipStream(file);
        Stream content = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        var reader = new StreamReader(content, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return new ImportFile(path, file, gzip, reader);
    }

    /// <summary>True when the stream starts with the gzip magic bytes; leaves it at the start.</summary>
    public static bool IsGzipStream(Stream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        return n == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    public void Dispose()
    {
        Reader.Dispose();
        _file.Dispose();
    }
}

/// <summary>The input cannot be imported at all (missing file, missing column, bad option). The message says how to fix it.</summary>
public sealed class ImportInputException(string message) : Exception(message);
