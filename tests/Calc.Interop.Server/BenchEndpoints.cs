using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Calc.Interop.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Calc.Interop;

/// <summary>
/// Endpoints for the transport benchmark (tests/Calc.Benchmarks/Transport/run-h2load.sh), mapped with
/// <c>--bench</c> only:
/// <list type="bullet">
/// <item><c>POST /bare.Bench/EmptyCall</c>: the baseline, a bare Kestrel endpoint doing gRPC framing by hand
/// (read one length-prefixed <c>grpc.testing.Empty</c>, answer one, <c>grpc-status: 0</c> trailer) — the
/// same wire exchange as <c>/grpc.testing.TestService/EmptyCall</c> through Calc's transport;</item>
/// <item><c>GET /bench/allocated</c>: bytes allocated by the process so far (to compute bytes per call).</item>
/// </list>
/// </summary>
public static class BenchEndpoints
{
    private static readonly byte[] EmptyFrame = [0, 0, 0, 0, 0];

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/bare.Bench/EmptyCall", BareEmptyCallAsync);
        endpoints.MapGet("/bench/allocated", (HttpContext http) =>
            http.Response.WriteAsync(GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task BareEmptyCallAsync(HttpContext http)
    {
        var reader = http.Request.BodyReader;
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync(http.RequestAborted);
            if (result.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        var buffer = result.Buffer;
        var ok = TryParse(buffer, out var request);
        reader.AdvanceTo(buffer.End);
        http.Response.ContentType = "application/grpc";
        if (!ok)
        {
            http.Response.Headers["grpc-status"] = "13";
            return;
        }

        _ = request;
        var response = new Empty();
        var size = response.CalculateSize();
        var span = http.Response.BodyWriter.GetSpan(5 + size);
        EmptyFrame.CopyTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
        http.Response.BodyWriter.Advance(5 + size);
        http.Response.AppendTrailer("grpc-status", "0");
    }

    private static bool TryParse(ReadOnlySequence<byte> buffer, out Empty? message)
    {
        message = null;
        if (buffer.Length < 5)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[5];
        buffer.Slice(0, 5).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (header[0] != 0 || buffer.Length != 5 + length)
        {
            return false;
        }

        message = Empty.Parser.ParseFrom(buffer.Slice(5));
        return true;
    }
}
