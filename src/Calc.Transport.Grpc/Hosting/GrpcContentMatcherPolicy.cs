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
/// <para>
/// The choice is made when the routing table is built (an <see cref="INodeBuilderPolicy"/>, as ASP.NET Core's own
/// HTTP method policy): each path that has both kinds gets one branch per kind, and a request costs one content-type
/// check. A gRPC branch that has the method's own endpoint also drops grpc-dotnet's "unimplemented" catch-alls
/// (<c>{service}/{method}</c>): the literal route always outranks them, so a call to a method Calc has reaches it
/// without capturing route values or running their constraint; an unknown method still reaches them (its path
/// has no literal endpoint).
/// </para>
/// </summary>
internal sealed class GrpcContentMatcherPolicy : MatcherPolicy, INodeBuilderPolicy
{
    // after HttpMethodMatcherPolicy (-1000): the endpoints left here all accept the verb
    public override int Order => 100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return !ContainsDynamicEndpoints(endpoints) && endpoints.Any(e => Kind(e) != EndpointKind.Grpc);
    }

    public IReadOnlyList<PolicyNodeEdge> GetEdges(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        bool json = endpoints.Any(e => Kind(e) == EndpointKind.Json);
        bool codec = endpoints.Any(e => Kind(e) == EndpointKind.Codec);
        bool grpc = endpoints.Any(e => Kind(e) == EndpointKind.Grpc);
        // gRPC: the codec's binding, else the generated one; JSON: the transcoded binding, else the gRPC endpoint
        // alone (it answers 415 with the reason)
        var forGrpc = codec ? EndpointKind.Codec : grpc ? EndpointKind.Grpc : EndpointKind.Json;
        var forOther = json ? EndpointKind.Json : codec ? EndpointKind.Codec : EndpointKind.Grpc;
        return
        [
            new PolicyNodeEdge(GrpcRequest, WithoutOutranked(endpoints.Where(e => Kind(e) == forGrpc).ToList())),
            new PolicyNodeEdge(OtherRequest, endpoints.Where(e => Kind(e) == forOther).ToList()),
        ];
    }

    public PolicyJumpTable BuildJumpTable(int exitDestination, IReadOnlyList<PolicyJumpTableEdge> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        int grpc = exitDestination, other = exitDestination;
        foreach (var edge in edges)
        {
            if (ReferenceEquals(edge.State, GrpcRequest))
            {
                grpc = edge.Destination;
            }
            else
            {
                other = edge.Destination;
            }
        }

        return new ContentTypeJumpTable(grpc, other);
    }

    private static readonly object GrpcRequest = "application/grpc";
    private static readonly object OtherRequest = "other";

    /// <summary>
    /// Drops the endpoints with route parameters that a literal endpoint of the same branch outranks (equal or
    /// lower <see cref="RouteEndpoint.Order"/>, higher precedence): the routing selector would never choose them
    /// while the literal one is valid, and a literal gRPC or codec endpoint has no constraint that could fail.
    /// </summary>
    internal static List<Endpoint> WithoutOutranked(List<Endpoint> endpoints)
    {
        var literals = endpoints.OfType<RouteEndpoint>().Where(e => e.RoutePattern.Parameters.Count == 0).ToList();
        if (literals.Count == 0)
        {
            return endpoints;
        }

        int best = literals.Min(e => e.Order);
        return endpoints.Where(e => e is not RouteEndpoint route || route.RoutePattern.Parameters.Count == 0 || route.Order < best).ToList();
    }

    private static EndpointKind Kind(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null ? EndpointKind.Json
        : endpoint.Metadata.GetMetadata<IncomeCodecEndpoint>() is not null ? EndpointKind.Codec
        : EndpointKind.Grpc;

    /// <summary>True for gRPC and gRPC-Web requests (their content types start with <c>application/grpc</c>).</summary>
    private sealed class ContentTypeJumpTable(int grpc, int other) : PolicyJumpTable
    {
        public override int GetDestination(HttpContext httpContext) =>
            GrpcRequestMiddleware.IsGrpc(httpContext.Request) ? grpc : other;
    }

    private enum EndpointKind
    {
        Grpc,
        Codec,
        Json,
    }
}
