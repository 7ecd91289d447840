using Calc.Domain.Errors;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>FsCheck generators of income requests and outcomes, biased towards the cases a codec gets wrong.</summary>
internal static class IncomeGenerators
{
    private static readonly long FixtureStart = new DateTimeOffset(2025, 3, 13, 20, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
    private static readonly long FixtureEnd = new DateTimeOffset(2025, 3, 19, 3, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    /// <summary>Ids: empty, short ASCII (often repeated, so duplicates occur), Cyrillic, emoji, over-long, 64+ chars split in a surrogate pair.</summary>
    public static Gen<string> Ids() => Gen.OneOf(
        Gen.Constant(""),
        Gen.Choose(0, 30).Select(i => "r-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Choose(0, 1_000_000).Select(i => "1С:Документ №" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Elements("⛏️🪙", "日本語", "a\u0000b", "ÿ", "\uFFFD"),
        Gen.Choose(60, 300).Select(n => new string('x', n)),
        Gen.Choose(0, 3).Select(n => new string('я', 63) + "🪙" + new string('z', n)));

    public static Gen<string> Assets() => Gen.Elements("BTC", "BTC", "ETH", "", "DOGE", "btc", "Б", "USDT", "BTC ");

    public static Gen<string> Amounts() => Gen.OneOf(
        Gen.Elements("0.05", "1", "-2", "0", "1,5", "", "0.000123456789", "1e3", "１", "00.10", "79228162514264337593543950335", "1."),
        Gen.Choose(1, 99_999).Select(n => "0.0" + n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Absent, inside the fixture's days, or outside the Timestamp range (seconds or nanos).</summary>
    public static Gen<Timestamp?> Instants() => Gen.OneOf(
        Gen.Constant<Timestamp?>(null),
        from s in Gen.Choose(0, (int)(FixtureEnd - FixtureStart)) from n in Gen.Choose(0, 999_999_999)
        select (Timestamp?)new Timestamp { Seconds = FixtureStart + s, Nanos = n },
        from s in Gen.Choose(0, (int)(FixtureEnd - FixtureStart)) select (Timestamp?)new Timestamp { Seconds = FixtureStart + s },
        Gen.Elements<Timestamp?>(
            new Timestamp { Seconds = 253_402_300_800L },
            new Timestamp { Seconds = -62_135_596_801L },
            // the last day of the range, but not its last hours: east of UTC they are year 10000, which the
            // domain's IncomeDate cannot represent (reported; the decoder tests cover the exact bounds)
            new Timestamp { Seconds = 253_402_300_799L - 86_400, Nanos = 999_999_999 },
            new Timestamp { Seconds = -62_135_596_800L },
            new Timestamp { Seconds = FixtureStart, Nanos = -1 },
            new Timestamp { Seconds = FixtureStart, Nanos = 1_000_000_000 },
            new Timestamp(),
            new Timestamp { Seconds = long.MinValue },
            new Timestamp { Seconds = long.MaxValue, Nanos = int.MinValue }));

    public static Gen<V1.MiningReceipt> Receipts() =>
        from id in Ids()
        from at in Instants()
        from asset in Assets()
        from amount in Amounts()
        from pool in Gen.Elements("", "F2Pool", "Пул")
        select new V1.MiningReceipt { Id = id, ReceivedAt = at, Asset = asset, Amount = amount, Pool = pool };

    public static Gen<V1.ValuationPolicy?> Policies() => Gen.OneOf(
        Gen.Constant<V1.ValuationPolicy?>(null),
        Gen.Elements<V1.ValuationPolicy?>(
            new V1.ValuationPolicy { Venue = "coinbase", QuoteCurrency = "USD" },
            new V1.ValuationPolicy { TimeZone = "Etc/UTC" },
            new V1.ValuationPolicy { Venue = "binance", QuoteCurrency = "USDT", UsdtPolicy = V1.UsdtPolicy.Reject },
            new V1.ValuationPolicy { AllowProvisional = true }));

    public static Gen<V1.RecognizeIncomeRequest> Requests(int maxReceipts = 40) =>
        from policy in Policies()
        from receipts in Gen.Choose(0, maxReceipts).SelectMany(n => Receipts().ArrayOf(n))
        from inline in Gen.Elements(false, true)
        select Request(policy, receipts, inline);

    private static V1.RecognizeIncomeRequest Request(V1.ValuationPolicy? policy, V1.MiningReceipt[] receipts, bool inline)
    {
        var request = new V1.RecognizeIncomeRequest { Policy = policy, InlineProvenance = inline };
        request.Receipts.AddRange(receipts);
        return request;
    }

    /// <summary>Any decimal: 96-bit mantissa, sign, scale 0–28 (trailing zeros kept, as the domain keeps scale).</summary>
    public static Gen<decimal> Decimals() => Gen.OneOf(
        from lo in Gen.Choose(int.MinValue, int.MaxValue) from mid in Gen.Choose(int.MinValue, int.MaxValue)
        from hi in Gen.Choose(int.MinValue, int.MaxValue) from negative in Gen.Elements(false, true) from scale in Gen.Choose(0, 28)
        select new decimal(lo, mid, hi, negative, (byte)scale),
        from kopecks in Gen.Choose(0, int.MaxValue) select kopecks / 100m,
        Gen.Elements(0m, 0.00m, -0.01m, 9000000.00m, decimal.MaxValue, decimal.MinValue));

    public static Gen<CalcError> Errors() =>
        from code in Gen.Elements(ErrorCode.InvalidArgument, ErrorCode.NotFound, ErrorCode.FailedPrecondition, ErrorCode.Unavailable)
        from reason in Gen.Elements(Reasons.MissingField, Reasons.InvalidField, "PRICE_NOT_FOUND", "")
        from message in Gen.Elements("", "no close for BTC/USDT on binance 2025-03-20", "сумма не число", "id '" + new string('я', 63) + "\uD83E…'")
        from field in Gen.Elements("", "received_at", "amount", "id")
        select new CalcError(code, reason, message, field);

    /// <summary>
    /// Raw protobuf fields no calc.v1 message has, of every wire type; groups (which the fast path leaves to the
    /// generated parser) are rare, so most generated payloads exercise the fast path itself.
    /// </summary>
    public static Gen<byte[]> UnknownFields() => Gen.Frequency((30, SkippableUnknownFields()), (1, Groups()));

    private static Gen<byte[]> Groups() =>
        from f in Gen.Choose(8, 50) select Field(f, o => { o.WriteTag(f, WireFormat.WireType.StartGroup); o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt32(5); o.WriteTag(f, WireFormat.WireType.EndGroup); });

    private static Gen<byte[]> SkippableUnknownFields() => Gen.OneOf(
        from f in Gen.Choose(8, 5000) from v in Gen.Choose(int.MinValue, int.MaxValue) select Field(f, o => { o.WriteTag(f, WireFormat.WireType.Varint); o.WriteInt64(v); }),
        from f in Gen.Choose(8, 5000) select Field(f, o => { o.WriteTag(f, WireFormat.WireType.Fixed64); o.WriteFixed64(0x0102030405060708UL); }),
        from f in Gen.Choose(8, 5000) select Field(f, o => { o.WriteTag(f, WireFormat.WireType.Fixed32); o.WriteFixed32(7); }),
        from f in Gen.Choose(8, 5000) from s in Gen.Elements("", "x", "юникод", "\uFFFD") select Field(f, o => { o.WriteTag(f, WireFormat.WireType.LengthDelimited); o.WriteString(s); }));

    public static byte[] Field(int number, Action<CodedOutputStream> write)
    {
        _ = number;
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }
}
