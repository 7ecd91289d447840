using System.Globalization;
using Calc.Adapters.Redis.Resp;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace Calc.Adapters.Redis.Tests.Resp;

/// <summary>
/// Generated RESP2/RESP3 replies (<see cref="RespGen"/>), valid and broken, fed to <see cref="RespParser"/> the way the
/// connection's read loop does: whole, and split into reads at random offsets. A valid reply comes back exactly; any
/// other input gives values, "incomplete" (nothing consumed) or <see cref="RespProtocolException"/> — never another
/// exception, never a hang, the same outcome however the bytes were split, and never an allocation proportional to
/// a length or count the received bytes do not back. Iterations: CALC_FUZZ_ITERATIONS (default 400 per property).
/// </summary>
public sealed class RespParserFuzzTests(ITestOutputHelper output)
{
    /// <summary>Bytes one parse may allocate per byte it was given: values, their arrays and payload copies (about 12 at worst).</summary>
    private const long AllocationPerByte = 32;

    /// <summary>Fixed allowance per parse call (first-use statics), and per thrown protocol error (message, stack trace).</summary>
    private const long CallAllowance = 4 * 1024;
    private const long ThrowAllowance = 64 * 1024;

    /// <summary>A property that has not finished by then hangs (a parse call that never returns or loops).</summary>
    private static TimeSpan HangLimit => TimeSpan.FromMinutes(3) + (Iterations * TimeSpan.FromMilliseconds(50));

    private static readonly string[] Fillers = ["_\r\n", ":1\r\n", "+OK\r\n", "$1\r\na\r\n", "*0\r\n", "%1\r\n_\r\n_\r\n"];

    private static readonly long[] HugeCounts =
    [
        RespParser.MaxAggregateLength, RespParser.MaxAggregateLength + 1L, RespParser.MaxBulkLength, RespParser.MaxBulkLength + 1L,
        int.MaxValue, 999_999_999_999, long.MaxValue, -1, -2, -999_999_999_999, long.MinValue,
    ];

    public static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("CALC_FUZZ_ITERATIONS"), out int n) ? n : 400;

    private static Config Config => Config.QuickThrowOnFailure.WithMaxTest(Iterations);

    [Fact]
    public async Task GeneratedReplies_WholeOrSplitAtRandomOffsets_ParseToExactlyTheGeneratedTree()
    {
        var cases = from replies in RespGen.Replies
                    from cuts in RespGen.Cuts
                    from prefix in Gen.Choose(0, 1 << 20)
                    select (Replies: replies, Cuts: cuts, Prefix: prefix);
        int inputs = 0;
        int replyCount = 0;
        long bytes = 0;

        await BoundedAsync(() => Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var wire = RespNode.Encode(c.Replies);
            foreach (var cuts in new[] { Array.Empty<int>(), c.Cuts })
            {
                // Act
                var run = Feed(wire, cuts);

                // Assert
                Assert.True(run.Error is null && run.Leftover == 0 && run.Values.Count == c.Replies.Length,
                    $"cuts [{string.Join(",", cuts)}]: {Describe(run)} for {RespNode.Escape(wire)}");
                for (int i = 0; i < c.Replies.Length; i++)
                {
                    Assert.True(c.Replies[i].Matches(run.Values[i]), $"reply {i}: sent {c.Replies[i]}, parsed {Describe(run.Values[i])}");
                }
            }

            // any strict prefix of the first reply is incomplete and consumes nothing
            int first = RespNode.Encode(c.Replies[0]).Length;
            int cut = c.Prefix % first;
            Assert.False(RespParser.TryParse(wire.AsSpan(0, cut), out _, out int consumed), $"{cut}-byte prefix of {c.Replies[0]} parsed");
            Assert.Equal(0, consumed);
            Interlocked.Increment(ref inputs);
            Interlocked.Add(ref replyCount, c.Replies.Length);
            Interlocked.Add(ref bytes, wire.Length);
        }).Check(Config));

        output.WriteLine($"{inputs} inputs, {replyCount} replies, {bytes} bytes: all round-tripped whole and split");
        Assert.Equal(Iterations, inputs);
    }

    [Fact]
    public async Task MutatedReplies_WholeOrSplit_ValueIncompleteOrProtocolError_SameOutcome_AllocationBounded()
    {
        var cases = from replies in RespGen.Replies
                    from edits in RespGen.Edits
                    from cuts in RespGen.Cuts
                    select (Replies: replies, Edits: edits, Cuts: cuts);
        var outcomes = new Outcomes();

        await BoundedAsync(() => Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var wire = RespEdit.ApplyAll(RespNode.Encode(c.Replies), c.Edits);

            // types and allocation are checked per call inside Feed; the outcome must not depend on the cuts
            outcomes.Count(FeedWholeAndSplit(wire, c.Cuts));
        }).Check(Config));

        output.WriteLine($"{outcomes}");
        Assert.Equal(Iterations, outcomes.Total);
    }

    [Fact]
    public async Task ClaimedLengthsAndCountsBeyondTheReceivedBytes_NestedUpToBeyondTheLimit_NeverAllocatedFor()
    {
        // headers claiming counts relative to the filler that follows (nested aggregates all "backed" by the same
        // bytes), huge or negative counts, and blob lengths, over 1–34 levels
        var cases = from levels in Gen.Choose(1, RespParser.MaxDepth + 2)
                    from types in Gen.ArrayOf(Gen.Elements('*', '~', '>', '%', '|'), levels)
                    from tail in Gen.Frequency((3, Gen.Constant(' ')), (1, Gen.Elements('$', '=', '!')))
                    from filler in Gen.Elements(Fillers)
                    from fillerCount in Gen.Choose(0, 5_000)
                    from mode in Gen.Choose(0, 2)
                    from factor in Gen.Elements(0.25, 0.5, 0.9, 1.0, 1.5, 3.0)
                    from huge in Gen.Elements(HugeCounts)
                    from small in Gen.Choose(0, 12)
                    from cuts in RespGen.Cuts
                    select (Types: types, Tail: tail, Filler: filler, FillerCount: fillerCount,
                        Count: mode switch { 0 => (long)(fillerCount * factor), 1 => huge, _ => small }, Cuts: cuts);
        var outcomes = new Outcomes();

        await BoundedAsync(() => Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var text = new System.Text.StringBuilder();
            foreach (char type in c.Types)
            {
                text.Append(type).Append(c.Count.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }

            if (c.Tail != ' ')
            {
                text.Append(c.Tail).Append((c.Count * c.Filler.Length).ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }

            for (int i = 0; i < c.FillerCount; i++)
            {
                text.Append(c.Filler);
            }

            var wire = System.Text.Encoding.ASCII.GetBytes(text.ToString());

            // allocation is bounded per call inside Feed; the outcome must not depend on the cuts
            outcomes.Count(FeedWholeAndSplit(wire, c.Cuts));
        }).Check(Config));

        output.WriteLine($"{outcomes}");
        Assert.Equal(Iterations, outcomes.Total);
    }

    private static async Task BoundedAsync(Action property)
    {
        var run = Task.Run(property);
        var first = await Task.WhenAny(run, Task.Delay(HangLimit));
        Assert.True(first == run, $"the property did not finish within {HangLimit}: a parse call hangs or loops");
        await run;
    }

    /// <summary>
    /// Feeds <paramref name="wire"/> as reads ending at the cut points (modulo the length) and at its end, parsing every
    /// complete reply after each read, as <c>RespSession</c>'s read loop does. Checks per call: only
    /// <see cref="RespProtocolException"/> escapes, a complete reply consumes 1…window bytes, an incomplete one none, and
    /// the bytes allocated stay within <see cref="AllocationPerByte"/> × window plus an allowance.
    /// </summary>
    private static Run Feed(byte[] wire, int[] cuts)
    {
        var ends = cuts.Select(c => c % (wire.Length + 1)).Append(wire.Length).Distinct().Order().ToArray();
        var values = new List<RespValue>();
        int start = 0;
        foreach (int end in ends)
        {
            while (start < end)
            {
                int window = end - start;
                bool complete;
                RespValue value;
                int used;
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    complete = RespParser.TryParse(wire.AsSpan(start, window), out value, out used);
                }
                catch (RespProtocolException e)
                {
                    AssertAllocation(GC.GetAllocatedBytesForCurrentThread() - before, window, ThrowAllowance, wire, start);
                    return new Run(values, e.Message, end - start);
                }
                catch (Exception e)
                {
                    Assert.Fail($"{e.GetType().Name} (not RespProtocolException) at offset {start}, window {window}: {e.Message} for {RespNode.Escape(wire)}");
                    throw;
                }

                AssertAllocation(GC.GetAllocatedBytesForCurrentThread() - before, window, CallAllowance, wire, start);
                if (!complete)
                {
                    Assert.Equal(0, used);
                    break;
                }

                Assert.InRange(used, 1, window);
                values.Add(value);
                start += used;
            }
        }

        return new Run(values, null, wire.Length - start);
    }

    private static void AssertAllocation(long allocated, int window, long allowance, byte[] wire, int start)
    {
        long bound = (AllocationPerByte * window) + allowance;
        Assert.True(allocated <= bound,
            $"one parse of {window} bytes at offset {start} allocated {allocated} bytes (bound {bound}) for {RespNode.Escape(wire.AsSpan(start, window))}");
    }

    /// <summary>Feeds <paramref name="wire"/> whole and cut at <paramref name="cuts"/>; asserts the same outcome and returns it.</summary>
    private static Run FeedWholeAndSplit(byte[] wire, int[] cuts)
    {
        var whole = Feed(wire, []);
        AssertSameOutcome(whole, Feed(wire, cuts), wire, cuts);
        return whole;
    }

    private static void AssertSameOutcome(Run whole, Run split, byte[] wire, int[] cuts)
    {
        string a = Describe(whole);
        string b = Describe(split);
        Assert.True(a == b, $"whole: {a}\nsplit at [{string.Join(",", cuts)}]: {b}\ninput: {RespNode.Escape(wire)}");
    }

    /// <summary>Values, then the error (its message) or the unparsed remainder; the remainder of a split run that failed is not compared.</summary>
    private static string Describe(Run run) =>
        "[" + string.Join(" ", run.Values.Select(Describe)) + "] "
        + (run.Error is { } error ? "error: " + error : "leftover " + run.Leftover.ToString(CultureInfo.InvariantCulture));

    private static string Describe(RespValue v) => v.Kind switch
    {
        RespKind.Null => "_",
        RespKind.Integer => ":" + v.IntegerValue.ToString(CultureInfo.InvariantCulture),
        RespKind.Boolean => v.BooleanValue ? "#t" : "#f",
        RespKind.Double => "," + BitConverter.DoubleToInt64Bits(v.DoubleValue).ToString("x16", CultureInfo.InvariantCulture),
        RespKind.Error => "-" + v.ErrorMessage,
        _ when v.IsAggregate => v.Kind + "[" + string.Join(" ", v.Items.Select(Describe)) + "]",
        _ => v.Kind + ":" + Convert.ToHexString(v.Bytes),
    };

    private sealed record Run(List<RespValue> Values, string? Error, int Leftover);

    /// <summary>How whole-input runs ended, for the test output.</summary>
    private sealed class Outcomes
    {
        private int _values;
        private int _incomplete;
        private int _errors;

        public int Total => _values + _incomplete + _errors;

        public void Count(Run run)
        {
            if (run.Error is not null)
            {
                Interlocked.Increment(ref _errors);
            }
            else if (run.Leftover > 0)
            {
                Interlocked.Increment(ref _incomplete);
            }
            else
            {
                Interlocked.Increment(ref _values);
            }
        }

        public override string ToString() =>
            $"{Total} inputs: {_values} parsed completely, {_incomplete} ended incomplete, {_errors} protocol errors";
    }
}
