using Calc.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Calc.LoadTests.Scenarios;

/// <summary>
/// A receive-only stand-in for <see cref="RecognizeIncomeResponse"/> (and <see cref="IncomeResultChunk"/>,
/// same field numbers) for the lean client: counts results and item errors straight from the wire, skipping
/// every string, so the client's share of a machine it shares with the server stays small. It cannot be
/// sent: encoding is not supported.
/// </summary>
public sealed class ResultCounter : IMessage<ResultCounter>
{
    private const int ResultsField = 1; // repeated IncomeResult results = 1
    private const int IncomeField = 2;  // IncomeResult.income = 2
    private const int ErrorField = 3;   // IncomeResult.error = 3

    public static MessageParser<ResultCounter> Parser { get; } = new(() => new ResultCounter());

    private readonly ResultScanner _scanner = new();

    public int Results { get; private set; }

    public int Incomes => _scanner.Incomes;

    public int Errors => _scanner.Errors;

    public MessageDescriptor Descriptor => RecognizeIncomeResponse.Descriptor;

    public void MergeFrom(CodedInputStream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == ResultsField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                input.ReadMessage(_scanner);
                Results++;
            }
            else
            {
                input.SkipLastField();
            }
        }
    }

    public void MergeFrom(ResultCounter message) => throw new NotSupportedException("a receive-only counter");

    public void WriteTo(CodedOutputStream output) => throw new NotSupportedException("a receive-only counter");

    public int CalculateSize() => 0;

    public ResultCounter Clone() => throw new NotSupportedException("a receive-only counter");

    public bool Equals(ResultCounter? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <summary>Reads one IncomeResult: which arm of the oneof it carries.</summary>
    private sealed class ResultScanner : IMessage
    {
        public int Incomes { get; private set; }

        public int Errors { get; private set; }

        public MessageDescriptor Descriptor => IncomeResult.Descriptor;

        public void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case IncomeField: Incomes++; break;
                    case ErrorField: Errors++; break;
                }

                input.SkipLastField();
            }
        }

        public void WriteTo(CodedOutputStream output) => throw new NotSupportedException("a receive-only counter");

        public int CalculateSize() => 0;
    }
}

/// <summary>
/// The lean client's stand-in for <see cref="RecognizeIncomeStreamResponse"/>: a results chunk is counted
/// like <see cref="ResultCounter"/> (<see cref="IncomeResultChunk"/> has the same field numbers), the closing
/// summary is parsed as it is (a handful of totals). Receive-only.
/// </summary>
public sealed class StreamResultCounter : IMessage<StreamResultCounter>
{
    private const int ResultsField = 1; // oneof payload: IncomeResultChunk results = 1
    private const int SummaryField = 2; // IncomeStreamSummary summary = 2

    public static MessageParser<StreamResultCounter> Parser { get; } = new(() => new StreamResultCounter());

    public ResultCounter? Results { get; private set; }

    public IncomeStreamSummary? Summary { get; private set; }

    public MessageDescriptor Descriptor => RecognizeIncomeStreamResponse.Descriptor;

    public void MergeFrom(CodedInputStream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }

            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ResultsField:
                    Results = new ResultCounter();
                    input.ReadMessage(Results);
                    break;
                case SummaryField:
                    Summary = new IncomeStreamSummary();
                    input.ReadMessage(Summary);
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    public void MergeFrom(StreamResultCounter message) => throw new NotSupportedException("a receive-only counter");

    public void WriteTo(CodedOutputStream output) => throw new NotSupportedException("a receive-only counter");

    public int CalculateSize() => 0;

    public StreamResultCounter Clone() => throw new NotSupportedException("a receive-only counter");

    public bool Equals(StreamResultCounter? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
