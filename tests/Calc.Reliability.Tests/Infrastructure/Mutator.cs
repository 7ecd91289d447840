using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>One edit of a byte string: flip, insert, delete, duplicate a slice, or splice in a hostile token.</summary>
public sealed record Mutation(int Kind, int Position, int Length, byte Value)
{
    public static readonly byte[][] Tokens =
    [
        "\"\""u8.ToArray(), "null"u8.ToArray(), "{}"u8.ToArray(), "[]"u8.ToArray(), "-"u8.ToArray(), "1e309"u8.ToArray(),
        "99999999999999999999999999999999"u8.ToArray(), "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(), [0xC3, 0x28], [0xFF, 0xFE],
        ","u8.ToArray(), "\r\n"u8.ToArray(), "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>"u8.ToArray(), "&a;"u8.ToArray(), "]]>"u8.ToArray(),
        "$-1\r\n"u8.ToArray(), "*-1\r\n"u8.ToArray(), "$2147483647\r\n"u8.ToArray(), ":9223372036854775808\r\n"u8.ToArray(),
    ];

    public byte[] ApplyTo(byte[] input)
    {
        if (input.Length == 0)
        {
            return [Value];
        }

        int at = Position % input.Length;
        int len = Math.Min(Length, input.Length - at);
        return Kind switch
        {
            0 => [.. input[..at], (byte)(input[at] ^ (1 << (Value % 8))), .. input[(at + 1)..]],
            1 => [.. input[..at], Value, .. input[at..]],
            2 => [.. input[..at], .. input[(at + len)..]],
            3 => [.. input[..(at + len)], .. input[at..(at + len)], .. input[(at + len)..]],
            _ => [.. input[..at], .. Tokens[Value % Tokens.Length], .. input[at..]],
        };
    }

    /// <summary>1–8 random edits.</summary>
    public static Arbitrary<Mutation[]> Arbitrary { get; } = Arb.From(
        (from kind in Gen.Choose(0, 4)
         from position in Gen.Choose(0, 1 << 20)
         from length in Gen.Choose(1, 64)
         from value in Gen.Choose(0, 255)
         select new Mutation(kind, position, length, (byte)value)).ArrayOf().Where(a => a.Length is > 0 and <= 8));

    public static byte[] ApplyAll(byte[] input, Mutation[] mutations) => mutations.Aggregate(input, (current, m) => m.ApplyTo(current));

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
