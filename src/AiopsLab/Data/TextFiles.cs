using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AiopsLab.Data;

/// <summary>
/// Opening data files that may be gzip-compressed. Every reader goes through here, so every layout reads <c>x.csv</c>
/// and <c>x.csv.gz</c> alike.
/// </summary>
/// <remarks>
/// .NET's <see cref="GZipStream"/> ends quietly when compressed data stops early (a truncated download), so the reader
/// checks the gzip trailer: the decompressed length must equal the trailer's ISIZE (length mod 2^32, RFC 1952 §2.3.1).
/// A truncated file fails that check with near certainty and is reported with the file name and the line reached.
/// Consequence: a file of several concatenated gzip members (<c>cat a.gz b.gz</c>) is reported as corrupt; recompress it.
/// </remarks>
public static class TextFiles
{
    /// <summary>The file to read for <paramref name="path"/>: itself when it exists, else <c>path.gz</c> when that exists, else null.</summary>
    public static string? Resolve(string path) =>
        File.Exists(path) ? path : !path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && File.Exists(path + ".gz") ? path + ".gz" : null;

    /// <summary>True when the file name is <paramref name="name"/> or <paramref name="name"/><c>.gz</c>.</summary>
    public static bool IsNamed(string path, string name)
    {
        var f = Path.GetFileName(path);
        return f.Equals(name, StringComparison.Ordinal) || f.Equals(name + ".gz", StringComparison.Ordinal);
    }

    /// <summary>The name without a trailing <c>.gz</c>.</summary>
    public static string WithoutGz(string fileName) =>
        fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? fileName[..^3] : fileName;

    /// <summary>Opens a text file as UTF-8, decompressing gzip (with the trailer check above) when the name ends in <c>.gz</c>.</summary>
    /// <exception cref="DataFormatException">The file is missing, or a <c>.gz</c> file is too short to be gzip.</exception>
    public static TextReader OpenText(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "file not found.");
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Stream s = fs;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            if (fs.Length < 18) { fs.Dispose(); throw new DataFormatException(path, null, null, "too short to be a gzip file (truncated .gz?)."); }
            Span<byte> tail = stackalloc byte[4];
            fs.Seek(-4, SeekOrigin.End);
            fs.ReadExactly(tail);
            fs.Seek(0, SeekOrigin.Begin);
            s = new CheckedGzip(new GZipStream(fs, CompressionMode.Decompress), BinaryPrimitives.ReadUInt32LittleEndian(tail));
        }
        return new StreamReader(s, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>Reads one line, turning a decompression failure into an error that names the file and the line reached.</summary>
    public static string? ReadLine(TextReader reader, string name, int linesRead)
    {
        try { return reader.ReadLine(); }
        catch (InvalidDataException e) { throw new DataFormatException(name, linesRead + 1, null, "compressed data is corrupt or ends early (truncated .gz?): " + e.Message); }
    }

    /// <summary>Counts decompressed bytes and checks them against the trailer's ISIZE at the end.</summary>
    private sealed class CheckedGzip(GZipStream inner, uint expected) : Stream
    {
        private long _count;
        private bool _checked;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            _count += n;
            if (n == 0 && buffer.Length > 0 && !_checked)
            {
                _checked = true;
                if ((uint)_count != expected)
                    throw new InvalidDataException($"{_count} bytes decompressed, but the gzip trailer says {expected} (mod 2^32).");
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
