using System.Buffers;

namespace Calc.Transport.Grpc.Tests.Codecs;

/// <summary>Ways to cut a payload: whole, at every offset into two, and one byte per segment.</summary>
public static class Segments
{
    public static IEnumerable<(string Plan, byte[][] Chunks)> Plans(byte[] payload)
    {
        yield return ("whole", [payload]);
        for (var i = 1; i < payload.Length; i++)
        {
            yield return ($"split at {i}", [payload[..i], payload[i..]]);
        }

        yield return ("one byte at a time", [.. payload.Select(b => new[] { b })]);
    }

    /// <summary>A multi-segment sequence over the given chunks (what a PipeReader hands out after split DATA frames).</summary>
    public static ReadOnlySequence<byte> Sequence(IReadOnlyList<byte[]> chunks)
    {
        var nonEmpty = chunks.Where(c => c.Length > 0).ToArray();
        if (nonEmpty.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var chunk in nonEmpty.Skip(1))
        {
            last = last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static byte[] Hex(string annotated)
    {
        // "00 | 00000003 | 0A0178  -- comment": separators and comments (to the end of each line) are ignored
        var text = string.Concat(annotated.Split('\n').Select(line => line.Split("--")[0]));
        var hex = new string([.. text.Where(Uri.IsHexDigit)]);
        return Convert.FromHexString(hex);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
