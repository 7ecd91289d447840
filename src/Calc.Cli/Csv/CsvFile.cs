using System.Text;
using System.Text.Unicode;

namespace Calc.Cli.Csv;

/// <summary>How to read a CSV export; null members are detected from the file.</summary>
/// <param name="Encoding">utf-8, windows-1251 (cp1251), or null = auto: BOM, else valid UTF-8, else windows-1251.</param>
/// <param name="Delimiter">',', ';' or tab, or null = the most frequent of them in the header line.</param>
internal sealed record CsvReadOptions(string? Encoding = null, char? Delimiter = null)
{
    public static readonly CsvReadOptions Auto = new();
}

/// <summary>
/// A streaming RFC 4180 reader for the CSV files 1C and ERPs export: ',' or ';' (or tab) delimiters,
/// quoted fields with doubled quotes and embedded line breaks, CRLF or LF, UTF-8 with or without BOM or
/// windows-1251. Reads one record at a time (memory does not grow with the file) and reports the
/// physical line each record starts on.
/// </summary>
internal sealed class CsvFile : IDisposable
{
    private const int SniffBytes = 64 * 1024;

    private readonly FileStream _stream;
    private readonly StreamReader _reader;
    private readonly char[] _buffer = new char[32 * 1024];
    private readonly StringBuilder _field = new();
    private int _pos;
    private int _len;
    private long _line = 1;

    private CsvFile(FileStream stream, Encoding encoding, char delimiter, bool skipSeparatorLine)
    {
        _stream = stream;
        Encoding = encoding;
        Delimiter = delimiter;
        _reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        if (skipSeparatorLine)
        {
            TryRead([], out _, out _);
        }
    }

    public Encoding Encoding { get; }

    public char Delimiter { get; }

    /// <summary>File size in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>Bytes consumed from the file so far (read-ahead included), for progress.</summary>
    public long BytesRead => _stream.Position;

    static CsvFile() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static CsvFile Open(string path, CsvReadOptions options)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{path}: {e.Message}");
        }

        try
        {
            var head = new byte[(int)Math.Min(SniffBytes, stream.Length)];
            stream.ReadExactly(head);
            stream.Position = 0;
            var encoding = ChooseEncoding(options.Encoding, head, head.Length == stream.Length);
            string first = FirstLine(encoding, head);
            // Excel's "sep=;" first line names the delimiter; the header follows it
            bool separatorLine = first.Length == 5 && first.StartsWith("sep=", StringComparison.OrdinalIgnoreCase);
            char delimiter = options.Delimiter ?? (separatorLine ? first[4] : DetectDelimiter(first));
            return new CsvFile(stream, encoding, delimiter, separatorLine);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the next non-blank record into <paramref name="fields"/>; false at the end of the file.</summary>
    /// <param name="fields">Cleared, then filled with the record's fields.</param>
    /// <param name="line">The physical line the record starts on (1-based).</param>
    /// <param name="error">Set when the record is malformed (an unterminated quoted field).</param>
    public bool TryRead(List<string> fields, out long line, out string? error)
    {
        while (true)
        {
            fields.Clear();
            error = null;
            line = _line;
            if (!EnsureData())
            {
                return false;
            }

            error = ReadRecord(fields);
            if (error is not null || fields.Count > 1 || fields[0].Length > 0)
            {
                return true;
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }

    internal static Encoding ChooseEncoding(string? requested, ReadOnlySpan<byte> head, bool wholeFile)
    {
        switch (requested?.Trim().ToLowerInvariant())
        {
            case null or "" or "auto":
                break;
            case "utf-8" or "utf8":
                return new UTF8Encoding(false);
            case "windows-1251" or "cp1251" or "1251":
                return System.Text.Encoding.GetEncoding(1251);
            default:
                throw new CliException($"--encoding '{requested}' is not supported (auto, utf-8, windows-1251)");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new UTF8Encoding(false);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return System.Text.Encoding.Unicode;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return System.Text.Encoding.BigEndianUnicode;
        }

        // A sniffed prefix may end inside a multi-byte character: forgive up to 3 trailing bytes.
        for (int cut = 0; cut <= (wholeFile ? 0 : 3) && cut <= head.Length; cut++)
        {
            if (Utf8.IsValid(head[..(head.Length - cut)]))
            {
                return new UTF8Encoding(false);
            }
        }

        return System.Text.Encoding.GetEncoding(1251);
    }

    internal static char DetectDelimiter(string headerLine)
    {
        int commas = 0, semicolons = 0, tabs = 0;
        bool quoted = false;
        foreach (char c in headerLine)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }

        return semicolons > commas && semicolons >= tabs ? ';' : tabs > commas && tabs > semicolons ? '\t' : ',';
    }

    private static string FirstLine(Encoding encoding, byte[] head)
    {
        int bom = encoding.Preamble.Length > 0 && head.AsSpan().StartsWith(encoding.Preamble) ? encoding.Preamble.Length : 0;
        string text = encoding.GetString(head, bom, head.Length - bom);
        int end = text.IndexOfAny(['\r', '\n']);
        return (end < 0 ? text : text[..end]).TrimStart('\uFEFF');
    }

    private bool EnsureData()
    {
        if (_pos < _len)
        {
            return true;
        }

        _len = _reader.Read(_buffer, 0, _buffer.Length);
        _pos = 0;
        return _len > 0;
    }

    private string? ReadRecord(List<string> fields)
    {
        long startLine = _line;
        bool quoted = false;      // inside a quoted field
        bool fieldStart = true;   // nothing of the current field read yet
        _field.Clear();
        while (EnsureData())
        {
            char c = _buffer[_pos++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (EnsureData() && _buffer[_pos] == '"')
                    {
                        _pos++;
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    _line += c == '\n' ? 1 : 0;
                    _field.Append(c);
                }

                continue;
            }

            if (c == Delimiter)
            {
                fields.Add(_field.ToString());
                _field.Clear();
                fieldStart = true;
                continue;
            }

            if (c is '\n' or '\r')
            {
                if (c == '\r' && EnsureData() && _buffer[_pos] == '\n')
                {
                    _pos++;
                }

                _line++;
                fields.Add(_field.ToString());
                return null;
            }

            if (c == '"' && fieldStart)
            {
                quoted = true;
                fieldStart = false;
                continue;
            }

            if (c == '\uFEFF' && startLine == 1 && fields.Count == 0 && _field.Length == 0)
            {
                continue; // a BOM the decoder left in place
            }

            fieldStart = false;
            _field.Append(c);
        }

        fields.Add(_field.ToString());
        return quoted ? $"a quoted field starting on line {startLine} is not closed before the end of the file" : null;
    }
}
