using System.Globalization;
using System.Text;
using Calc.Adapters.Redis.Resp;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Adapters.Redis.Tests.Resp;

/// <summary>
/// A generated RESP2/RESP3 reply tree: <see cref="Encode(RespNode)"/> gives its wire bytes, <see cref="Matches"/> says
/// whether a parsed <see cref="RespValue"/> is exactly it. Types: <c>+ - ! : $ _ , # ( =</c>, the aggregates
/// <c>* ~ &gt; %</c> and the attribute <c>|</c> (its pairs are dropped by the parser: only the last item counts).
/// </summary>
internal sealed record RespNode(char Type, byte[] Bytes, long Number, double Real, RespNode[] Items, int Form = 0)
{
    public static byte[] Encode(IEnumerable<RespNode> replies)
    {
        var wire = new List<byte>();
        foreach (var reply in replies)
        {
            reply.EncodeTo(wire);
        }

        return [.. wire];
    }

    public static byte[] Encode(RespNode reply) => Encode([reply]);

    /// <summary>True when <paramref name="v"/> is exactly this reply (attributes skipped, maps flat).</summary>
    public bool Matches(RespValue v) => Type switch
    {
        '|' => Items[^1].Matches(v),
        '_' => v.Kind == RespKind.Null,
        '+' => v.Kind == RespKind.SimpleString && v.Bytes.SequenceEqual(Bytes),
        '-' or '!' => v.Kind == RespKind.Error && v.ErrorMessage == Encoding.UTF8.GetString(Bytes),
        ':' => v.Kind == RespKind.Integer && v.IntegerValue == Number,
        '#' => v.Kind == RespKind.Boolean && v.BooleanValue == (Number != 0),
        ',' => v.Kind == RespKind.Double && (double.IsNaN(Real)
            ? double.IsNaN(v.DoubleValue)
            : BitConverter.DoubleToInt64Bits(v.DoubleValue) == BitConverter.DoubleToInt64Bits(Real)),
        '(' => v.Kind == RespKind.BigNumber && v.Bytes.SequenceEqual(Bytes),
        '$' => v.Kind == RespKind.BulkString && v.Bytes.SequenceEqual(Bytes),
        '=' => v.Kind == RespKind.VerbatimString && v.Bytes.SequenceEqual(Bytes),
        _ => v.Kind == AggregateKind(Type) && v.Items.Length == Items.Length && Items.Zip(v.Items).All(p => p.First.Matches(p.Second)),
    };

    public override string ToString() => Escape(Encode(this));

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes.Length > 600 ? bytes[..600] : bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\\' => "\\\\",
                >= 32 and < 127 => new string((char)b, 1),
                _ => "\\x" + b.ToString("x2", CultureInfo.InvariantCulture),
            });
        }

        return bytes.Length > 600 ? text + "… (" + bytes.Length.ToString(CultureInfo.InvariantCulture) + " bytes)" : text.ToString();
    }

    private static RespKind AggregateKind(char type) => type switch
    {
        '*' => RespKind.Array,
        '~' => RespKind.Set,
        '>' => RespKind.Push,
        '%' => RespKind.Map,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private void EncodeTo(List<byte> wire)
    {
        switch (Type)
        {
            case '+' or '-' or '(':
                Line(wire, Type, Bytes);
                break;
            case ':':
                Line(wire, ':', Ascii(Number.ToString(CultureInfo.InvariantCulture)));
                break;
            case '#':
                Line(wire, '#', Ascii(Number != 0 ? "t" : "f"));
                break;
            case ',':
                Line(wire, ',', Ascii(FormatDouble(Real)));
                break;
            case '_':
                wire.AddRange(Ascii(Form switch { 0 => "_\r\n", 1 => "$-1\r\n", _ => "*-1\r\n" }));
                break;
            case '$' or '!':
                Blob(wire, Type, Bytes);
                break;
            case '=':
                Blob(wire, '=', [.. Ascii(Form == 0 ? "txt:" : "mkd:"), .. Bytes]);
                break;
            case '|':
                Header(wire, '|', (Items.Length - 1) / 2);
                foreach (var item in Items)
                {
                    item.EncodeTo(wire);
                }

                break;
            default:
                Header(wire, Type, Type == '%' ? Items.Length / 2 : Items.Length);
                foreach (var item in Items)
                {
                    item.EncodeTo(wire);
                }

                break;
        }
    }

    private static string FormatDouble(double d) =>
        double.IsNaN(d) ? "nan"
        : double.IsPositiveInfinity(d) ? "inf"
        : double.IsNegativeInfinity(d) ? "-inf"
        : d.ToString("R", CultureInfo.InvariantCulture);

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static void Line(List<byte> wire, char type, byte[] line)
    {
        wire.Add((byte)type);
        wire.AddRange(line);
        wire.Add((byte)'\r');
        wire.Add((byte)'\n');
    }

    private static void Header(List<byte> wire, char type, int count) =>
        Line(wire, type, Ascii(count.ToString(CultureInfo.InvariantCulture)));

    private static void Blob(List<byte> wire, char type, byte[] payload)
    {
        Header(wire, type, payload.Length);
        wire.AddRange(payload);
        wire.Add((byte)'\r');
        wire.Add((byte)'\n');
    }
}

/// <summary>FsCheck generators of valid replies and of RESP-aware edits that break them.</summary>
internal static class RespGen
{
    /// <summary>Bytes that matter to RESP are over-represented, so payloads often look like headers and terminators.</summary>
    private static readonly Gen<byte> AnyByte = Gen.Frequency(
        (6, Gen.Choose(0, 255).Select(b => (byte)b)),
        (3, Gen.Elements("\r\n$*:+-_%~>|=!,#(?0123456789"u8.ToArray())));

    private static readonly Gen<byte> LineByte = AnyByte.Where(b => b is not (byte)'\r' and not (byte)'\n');

    private static readonly Gen<long> Integers = Gen.Frequency(
        (1, Gen.Elements(0L, -1L, 1L, long.MinValue, long.MaxValue, -9_223_372_036_854_775_807L)),
        (3, Gen.Choose(-1000, 1000).Select(i => (long)i)),
        (3, from hi in Gen.Choose(-(1 << 30), (1 << 30) - 1)
            from lo in Gen.Choose(0, (1 << 30) - 1)
            select ((long)hi << 33) | ((long)lo << 3) | (long)(lo & 7)));

    private static readonly Gen<double> Doubles = Gen.Frequency(
        (1, Gen.Elements(0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.MaxValue,
            double.MinValue, double.Epsilon, 1.5, -3.25, 92.2628)),
        (4, from m in Gen.Choose(-1_000_000, 1_000_000)
            from e in Gen.Choose(-300, 300)
            select m * Math.Pow(10, e)));

    private static readonly Gen<RespNode> Leaf = Gen.OneOf(
        Bytes(LineByte, 12).Select(b => Node('+', b)),
        Bytes(LineByte, 24).Select(b => Node('-', b)),
        Bytes(AnyByte, 24).Select(b => Node('!', b)),
        Integers.Select(n => Node(':', [], n)),
        Bytes(AnyByte, 40).Select(b => Node('$', b)),
        Gen.Choose(0, 2).Select(form => Node('_', [], form: form)),
        Doubles.Select(d => Node(',', [], real: d)),
        Gen.Elements(0L, 1L).Select(b => Node('#', [], b)),
        from sign in Gen.Elements("", "-", "+")
        from digits in Bytes(Gen.Choose('0', '9').Select(c => (byte)c), 60).Where(d => d.Length > 0)
        select Node('(', [.. Encoding.ASCII.GetBytes(sign), .. digits]),
        from form in Gen.Choose(0, 1)
        from payload in Bytes(AnyByte, 20)
        select Node('=', payload, form: form));

    /// <summary>Replies nested up to 4 levels (aggregates and attributes), built bottom-up.</summary>
    public static Gen<RespNode> Reply { get; } = Nested(4);

    /// <summary>1–3 replies, as one read of a pipeline would carry them.</summary>
    public static Gen<RespNode[]> Replies { get; } = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Reply, n));

    /// <summary>Up to 4 cut points (taken modulo the input length) at which the input is split into reads.</summary>
    public static Gen<int[]> Cuts { get; } = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 1 << 20), n));

    /// <summary>1–6 edits.</summary>
    public static Gen<RespEdit[]> Edits { get; } = Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(
        from kind in Gen.Choose(0, 6)
        from position in Gen.Choose(0, 1 << 20)
        from length in Gen.Choose(1, 32)
        from value in Gen.Choose(0, 255)
        select new RespEdit(kind, position, length, value), n));

    private static Gen<RespNode> Nested(int depth)
    {
        if (depth == 0)
        {
            return Leaf;
        }

        var inner = Nested(depth - 1);
        var aggregate = from type in Gen.Elements('*', '~', '>', '%')
                        from n in Gen.Choose(0, 4)
                        from items in Gen.ArrayOf(inner, type == '%' ? n * 2 : n)
                        select new RespNode(type, [], 0, 0, items);
        var attribute = from pairs in Gen.Choose(0, 2)
                        from items in Gen.ArrayOf(inner, (pairs * 2) + 1)
                        select new RespNode('|', [], 0, 0, items);
        return Gen.Frequency((5, Leaf), (2, aggregate), (1, attribute));
    }

    private static Gen<byte[]> Bytes(Gen<byte> one, int max) => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(one, n));

    private static RespNode Node(char type, byte[] bytes, long number = 0, double real = 0, int form = 0) =>
        new(type, bytes, number, real, [], form);
}

/// <summary>One edit of a wire: flip a bit, insert a byte, delete, duplicate, splice in a hostile token, truncate, rewrite a number.</summary>
internal sealed record RespEdit(int Kind, int Position, int Length, int Value)
{
    /// <summary>Headers RESP allows but Calc must refuse or wait on without allocating, and plain breakage.</summary>
    public static readonly byte[][] Tokens = new[]
    {
        "$999999999999\r\n", "$-5\r\n", "*-2\r\n", "%-1\r\n", "~-1\r\n", "$536870912\r\n", "$536870913\r\n", "*16777216\r\n",
        "*16777217\r\n", "%8388608\r\n", "~100000\r\n", ">99999\r\n", "|3000\r\n", "$2147483647\r\n", "=2147483648\r\n",
        "!9223372036854775807\r\n", ":9223372036854775808\r\n", ":-9223372036854775809\r\n", "$?\r\n", "*?\r\n", "\r", "\n", "\r\n",
        "=3\r\ntxt\r\n", ",1e999\r\n", ",nan\r\n", "(\r\n", "#x\r\n", "_x\r\n", "$+3\r\n", "*0\r\n", "%0\r\n", "_\r\n", "$-1\r\n",
        string.Concat(Enumerable.Repeat("*1\r\n", 40)), string.Concat(Enumerable.Repeat("*1000\r\n", 20)),
        string.Concat(Enumerable.Repeat("|1\r\n", 20)), "+" + new string('x', RespParser.MaxLineLength + 4096),
    }.Select(t => Encoding.ASCII.GetBytes(t)).ToArray();

    private static readonly string[] Numbers = ["999999999999", "-2", "-1", "0", "536870912", "16777216", "99999999999999999999", "+-1", ""];

    public static byte[] ApplyAll(byte[] input, RespEdit[] edits) => edits.Aggregate(input, (current, e) => e.ApplyTo(current));

    public byte[] ApplyTo(byte[] input)
    {
        if (input.Length == 0)
        {
            return [(byte)Value];
        }

        int at = Position % input.Length;
        int len = Math.Min(Length, input.Length - at);
        return Kind switch
        {
            0 => [.. input[..at], (byte)(input[at] ^ (1 << (Value % 8))), .. input[(at + 1)..]],
            1 => [.. input[..at], (byte)Value, .. input[at..]],
            2 => [.. input[..at], .. input[(at + len)..]],
            3 => [.. input[..(at + len)], .. input[at..(at + len)], .. input[(at + len)..]],
            4 => [.. input[..at], .. Tokens[Value % Tokens.Length], .. input[at..]],
            5 => input[..at],
            _ => RewriteNumber(input, at),
        };
    }

    /// <summary>Replaces the first run of digits at or after <paramref name="at"/> (a length, a count, an integer).</summary>
    private byte[] RewriteNumber(byte[] input, int at)
    {
        int start = Array.FindIndex(input, at, b => b is >= (byte)'0' and <= (byte)'9');
        if (start < 0)
        {
            return input;
        }

        int end = start;
        while (end < input.Length && input[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        string number = Value % 2 == 0 ? Numbers[Value / 2 % Numbers.Length] : (Value * 7919).ToString(CultureInfo.InvariantCulture);
        return [.. input[..start], .. Encoding.ASCII.GetBytes(number), .. input[end..]];
    }
}
