using Calc.Transport.Grpc.Services.Calc;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Calc.Transport.Grpc;

/// <summary>
/// Chooses between endpoints that share a path, by the request's content type (an ASP.NET Core routing
/// <see cref="MatcherPolicy"/>). Two cases share one:
/// <list type="bullet">
/// <item><c>POST /calc.v1.&lt;Service&gt;/&lt;Method&gt;</c> is both the gRPC method and its JSON transcoding
/// binding (the URL JSON clients called before transcoding): <c>application/grpc…</c> (also gRPC-Web) goes to
/// gRPC, anything else to JSON;</item>
/// <item>calc.v1.IncomeService's gRPC methods are bound twice (grpc-dotnet's generated binding and the codec's,
/// <see cref="IncomeCodecMethods"/>): gRPC requests go to the codec's.</item>
/// </list>
/// Where a path has one kind of endpoint only, nothing changes.
/// </summary>
internal sealed class GrpcContentMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // after HttpMethodMatcherPolicy (-1000): the candidates left here all accept the verb
    public override int Order => 100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Any(e => e.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null || e.Metadata.GetMetadata<IncomeCodecEndpoint>() is not null);
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(candidates);
        int json = 0, grpc = 0, codec = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            switch (Kind(candidates[i].Endpoint))
            {
                case EndpointKind.Json:
                    json++;
                    break;
                case EndpointKind.Codec:
                    codec++;
                    break;
                default:
                    grpc++;
                    break;
            }
        }

        if (json + grpc + codec < 2)
        {
            return Task.CompletedTask;
        }

        bool grpcRequest = httpContext.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
        for (int i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            var kind = Kind(candidates[i].Endpoint);
            // gRPC: the codec's binding, else the generated one; JSON: the transcoded binding, else the gRPC
            // endpoint alone (it answers 415 with the reason)
            var wanted = grpcRequest
                ? (codec > 0 ? EndpointKind.Codec : grpc > 0 ? EndpointKind.Grpc : EndpointKind.Json)
                : (json > 0 ? EndpointKind.Json : codec > 0 ? EndpointKind.Codec : EndpointKind.Grpc);
            bool keep = kind == wanted;
            if (!keep)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static EndpointKind Kind(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null ? EndpointKind.Json
        : endpoint?.Metadata.GetMetadata<IncomeCodecEndpoint>() is not null ? EndpointKind.Codec
        : EndpointKind.Grpc;

    private enum EndpointKind
    {
        Grpc,
        Codec,
        Json,
    }
}
