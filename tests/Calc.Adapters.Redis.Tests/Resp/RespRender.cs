using System.Globalization;
using System.Text;
using Calc.Adapters.Redis.Resp;

namespace Calc.Adapters.Redis.Tests.Resp;

/// <summary>A canonical text form of a reply, so byte tables can state expected values in one string.</summary>
internal static class RespRender
{
    public static string Render(RespValue v) => v.Kind switch
    {
        RespKind.Null => "null",
        RespKind.SimpleString => "+" + Encoding.UTF8.GetString(v.Bytes),
        RespKind.Error => "-" + v.ErrorMessage,
        RespKind.Integer => ":" + v.IntegerValue.ToString(CultureInfo.InvariantCulture),
        RespKind.BulkString => "$" + Encoding.UTF8.GetString(v.Bytes),
        RespKind.VerbatimString => "=" + Encoding.UTF8.GetString(v.Bytes),
        RespKind.BigNumber => "(" + Encoding.UTF8.GetString(v.Bytes),
        RespKind.Boolean => v.BooleanValue ? "#t" : "#f",
        RespKind.Double => "," + v.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        RespKind.Array => "[" + string.Join(" ", v.Items.Select(Render)) + "]",
        RespKind.Set => "~[" + string.Join(" ", v.Items.Select(Render)) + "]",
        RespKind.Map => "%[" + string.Join(" ", v.Items.Select(Render)) + "]",
        RespKind.Push => ">[" + string.Join(" ", v.Items.Select(Render)) + "]",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    /// <summary>
    /// Feeds segments the way the connection's read loop does (append, then parse every complete reply)
    /// and returns the replies in order; incomplete trailing data stays unparsed.
    /// </summary>
    public static List<string> Feed(IEnumerable<byte[]> segments, out int leftover)
    {
        var buffer = new List<byte>();
        var replies = new List<string>();
        foreach (var segment in segments)
        {
            buffer.AddRange(segment);
            var span = buffer.ToArray().AsSpan();
            int start = 0;
            while (start < span.Length && RespParser.TryParse(span[start..], out var value, out int used))
            {
                Assert.True(used > 0);
                replies.Add(Render(value));
                start += used;
            }

            buffer.RemoveRange(0, start);
        }

        leftover = buffer.Count;
        return replies;
    }

    /// <summary>The payload whole, split in two at every offset, and one byte per segment.</summary>
    public static IEnumerable<(string Shape, byte[][] Segments)> Splits(byte[] bytes)
    {
        yield return ("whole", [bytes]);
        for (int i = 1; i < bytes.Length; i++)
        {
            yield return ("split@" + i.ToString(CultureInfo.InvariantCulture), [bytes[..i], bytes[i..]]);
        }

        yield return ("bytewise", bytes.Select(b => new[] { b }).ToArray());
    }
}
