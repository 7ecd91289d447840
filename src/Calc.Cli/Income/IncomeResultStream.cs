using Calc.V1;

namespace Calc.Cli.Income;

/// <summary>The server's results, one at a time, with the stream-wide provenance table resolved.</summary>
internal sealed class IncomeResultStream(IAsyncEnumerable<RecognizeIncomeStreamResponse> responses) : IAsyncDisposable
{
    private readonly List<Provenance> _provenances = [];
    private IAsyncEnumerator<RecognizeIncomeStreamResponse>? _responses;
    private IncomeResultChunk? _chunk;
    private int _next;
    private IncomeStreamSummary? _summary;

    public async Task<(IncomeResult Result, Provenance? Provenance)> NextAsync(SourceRow row)
    {
        while (_chunk is null || _next >= _chunk.Results.Count)
        {
            if (!await MoveAsync())
            {
                throw new ProtocolViolation($"the server ended the stream before answering line {row.Line} (receipt '{row.Id}')");
            }
        }

        var result = _chunk.Results[_next++];
        if (result.ReceiptId != row.Id)
        {
            throw new ProtocolViolation($"the server answered receipt '{result.ReceiptId}' where '{row.Id}' (line {row.Line}) was expected");
        }

        Provenance? provenance = null;
        if (result.Income is { } income)
        {
            provenance = income.Provenance ?? (income.ProvenanceIndex >= 0 && income.ProvenanceIndex < _provenances.Count ? _provenances[income.ProvenanceIndex] : null);
        }

        return (result, provenance);
    }

    public async Task<IncomeStreamSummary?> FinishAsync()
    {
        if (_responses is null)
        {
            return null; // nothing was sent: every row failed before the call
        }

        while (await MoveAsync())
        {
            if (_chunk is { Results.Count: > 0 })
            {
                throw new ProtocolViolation("the server sent more results than receipts");
            }
        }

        return _summary ?? throw new ProtocolViolation("the server ended the stream without a summary");
    }

    public async ValueTask DisposeAsync()
    {
        if (_responses is not null)
        {
            await _responses.DisposeAsync();
        }
    }

    private async Task<bool> MoveAsync()
    {
        _responses ??= responses.GetAsyncEnumerator();
        _chunk = null;
        if (!await _responses.MoveNextAsync())
        {
            return false;
        }

        var message = _responses.Current;
        if (message.Summary is { } summary)
        {
            _summary = summary;
        }
        else if (message.Results is { } chunk)
        {
            _provenances.AddRange(chunk.Provenances);
            _chunk = chunk;
            _next = 0;
        }

        return true;
    }
}
