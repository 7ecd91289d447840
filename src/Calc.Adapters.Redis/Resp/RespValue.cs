using System.Text;

namespace Calc.Adapters.Redis.Resp;

/// <summary>The type of one RESP2/RESP3 reply (redis.io "RESP protocol spec").</summary>
internal enum RespKind : byte
{
    /// <summary><c>+</c> simple string.</summary>
    SimpleString,
    /// <summary><c>-</c> simple error or <c>!</c> blob error.</summary>
    Error,
    /// <summary><c>:</c> signed 64-bit integer.</summary>
    Integer,
    /// <summary><c>$</c> bulk string.</summary>
    BulkString,
    /// <summary><c>*</c> array.</summary>
    Array,
    /// <summary>RESP2 <c>$-1</c> / <c>*-1</c>, RESP3 <c>_</c>.</summary>
    Null,
    /// <summary><c>,</c> RESP3 double.</summary>
    Double,
    /// <summary><c>#</c> RESP3 boolean.</summary>
    Boolean,
    /// <summary><c>(</c> RESP3 big number, kept as its decimal text.</summary>
    BigNumber,
    /// <summary><c>=</c> RESP3 verbatim string; the value excludes the 3-letter format and colon.</summary>
    VerbatimString,
    /// <summary><c>%</c> RESP3 map, held flat as key, value, key, value…</summary>
    Map,
    /// <summary><c>~</c> RESP3 set.</summary>
    Set,
    /// <summary><c>&gt;</c> RESP3 out-of-band push; never matched to a pending command.</summary>
    Push,
}

/// <summary>
/// One parsed reply. Strings are kept as bytes (values are not always UTF-8); aggregates hold their
/// elements. A small struct: kind, one reference and one 64-bit payload.
/// </summary>
internal readonly struct RespValue
{
    private readonly object? _ref;
    private readonly long _bits;

    private RespValue(RespKind kind, object? reference, long bits)
    {
        Kind = kind;
        _ref = reference;
        _bits = bits;
    }

    public RespKind Kind { get; }

    public static RespValue Null => new(RespKind.Null, null, 0);

    public bool IsNull => Kind == RespKind.Null;

    public bool IsError => Kind == RespKind.Error;

    public bool IsAggregate => Kind is RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Push;

    public static RespValue SimpleString(byte[] value) => new(RespKind.SimpleString, value, 0);

    public static RespValue Bulk(byte[] value) => new(RespKind.BulkString, value, 0);

    public static RespValue Verbatim(byte[] value) => new(RespKind.VerbatimString, value, 0);

    public static RespValue BigNumber(byte[] digits) => new(RespKind.BigNumber, digits, 0);

    public static RespValue Error(string message) => new(RespKind.Error, message, 0);

    public static RespValue Integer(long value) => new(RespKind.Integer, null, value);

    public static RespValue Boolean(bool value) => new(RespKind.Boolean, null, value ? 1 : 0);

    public static RespValue Double(double value) => new(RespKind.Double, null, BitConverter.DoubleToInt64Bits(value));

    public static RespValue Aggregate(RespKind kind, RespValue[] items) => new(kind, items, 0);

    /// <summary>The bytes of a simple, bulk, verbatim string or big number.</summary>
    public ReadOnlySpan<byte> Bytes => _ref as byte[];

    /// <summary>The byte array of a string reply, or null for null and non-string replies.</summary>
    public byte[]? ByteArray => _ref as byte[];

    public long IntegerValue => Kind is RespKind.Integer or RespKind.Boolean ? _bits : throw Unexpected("an integer");

    public double DoubleValue => Kind == RespKind.Double ? BitConverter.Int64BitsToDouble(_bits) : throw Unexpected("a double");

    public bool BooleanValue => Kind == RespKind.Boolean ? _bits != 0 : throw Unexpected("a boolean");

    /// <summary>The message of an error reply.</summary>
    public string ErrorMessage => Kind == RespKind.Error ? (string)_ref! : throw Unexpected("an error");

    /// <summary>Elements of an array, set or push; a map's keys and values interleaved.</summary>
    public RespValue[] Items => IsAggregate ? (RespValue[])_ref! : throw Unexpected("an aggregate");

    /// <summary>A string reply decoded as UTF-8, null for a null reply.</summary>
    public string? AsString() => Kind switch
    {
        RespKind.Null => null,
        RespKind.Error => (string)_ref!,
        RespKind.Integer => _bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ when _ref is byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => throw Unexpected("a string"),
    };

    public override string ToString() => Kind switch
    {
        RespKind.Null => "(null)",
        RespKind.Error => "(error) " + (string)_ref!,
        RespKind.Integer => "(integer) " + _bits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        RespKind.Boolean => _bits != 0 ? "(true)" : "(false)",
        RespKind.Double => "(double) " + DoubleValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ when IsAggregate => "(" + Kind + " of " + Items.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")",
        _ => "\"" + AsString() + "\"",
    };

    private InvalidOperationException Unexpected(string what) =>
        new("RESP reply is " + Kind + ", not " + what);
}
