using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Configuration;

namespace Calc.Transport.Grpc.Tests.Hosting;

/// <summary>
/// The routing branches by content type, on the endpoints Calc really maps: the edges the policy gives a path and the
/// branch a request takes. (End to end, JsonApiTests and ProtocolBadInputTests call these paths on a running server.)
/// </summary>
public sealed class GrpcContentMatcherPolicyTests
{
    private static readonly Lazy<IReadOnlyList<Endpoint>> Endpoints = new(MapCalc);

    private static IReadOnlyList<Endpoint> MapCalc()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddCalcGrpc(new ConfigurationBuilder().Build());
        var app = builder.Build();
        app.MapCalcGrpc();
        return [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)];
    }

    /// <summary>The POST endpoints a request to <paramref name="path"/> could match, as routing's tree holds them for that path.</summary>
    private static List<Endpoint> At(string path) =>
        [.. Endpoints.Value.OfType<RouteEndpoint>().Where(e => Matches(e, path) && AcceptsPost(e))];

    private static bool AcceptsPost(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods || methods.HttpMethods.Count == 0 || methods.HttpMethods.Contains("POST");

    private static bool Matches(RouteEndpoint endpoint, string path)
    {
        var segments = path.Trim('/').Split('/');
        var pattern = endpoint.RoutePattern.PathSegments;
        return pattern.Count == segments.Length && pattern.Select((s, i) => s.IsSimple && s.Parts[0] is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal
            ? string.Equals(literal.Content, segments[i], StringComparison.OrdinalIgnoreCase) : s.Parts.Any(p => p.IsParameter)).All(x => x);
    }

    private static IReadOnlyList<PolicyNodeEdge> Edges(string path)
    {
        var policy = new GrpcContentMatcherPolicy();
        var endpoints = At(path);
        Assert.True(policy.AppliesToEndpoints(endpoints), $"the policy does not apply to {path}");
        return policy.GetEdges(endpoints);
    }

    [Fact]
    public void SharedPath_GrpcBranch_HoldsTheMethodAlone_WithoutGrpcDotnetsCatchAlls()
    {
        var endpoints = At("/calc.v1.QuoteService/GetCbrRate");
        // the tree holds the gRPC method, its JSON binding (the old URL) and grpc-dotnet's two unimplemented catch-alls
        Assert.Contains(endpoints, e => e.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null);
        Assert.Equal(2, endpoints.OfType<RouteEndpoint>().Count(e => e.RoutePattern.Parameters.Count > 0));

        var edges = Edges("/calc.v1.QuoteService/GetCbrRate");

        var grpc = Assert.Single(edges[0].Endpoints);
        Assert.Equal("/calc.v1.QuoteService/GetCbrRate", ((RouteEndpoint)grpc).RoutePattern.RawText);
        Assert.Null(grpc.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>());
        var json = Assert.Single(edges[1].Endpoints);
        Assert.NotNull(json.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>());
    }

    [Fact]
    public void IncomePath_GrpcBranch_IsTheCodecsBinding()
    {
        var edges = Edges("/calc.v1.IncomeService/RecognizeIncome");

        var grpc = Assert.Single(edges[0].Endpoints);
        Assert.NotNull(grpc.Metadata.GetMetadata<Calc.Transport.Grpc.Services.Calc.IncomeCodecEndpoint>());
        Assert.NotNull(Assert.Single(edges[1].Endpoints).Metadata.GetMetadata<GrpcJsonTranscodingMetadata>());
    }

    [Fact]
    public void UnknownMethodOfAKnownService_KeepsTheCatchAlls_SoItIsUnimplemented()
    {
        // no literal endpoint: the policy has nothing to choose and leaves the path to grpc-dotnet
        var endpoints = At("/calc.v1.QuoteService/GetPrice");
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(((RouteEndpoint)e).RoutePattern.Parameters.Count > 0));
        Assert.False(new GrpcContentMatcherPolicy().AppliesToEndpoints(endpoints));
    }

    [Fact]
    public void WithoutOutranked_KeepsACatchAllThatRoutingOrderPutsFirst()
    {
        var literal = Route("/calc.v1.QuoteService/GetCbrRate", order: 0);
        var after = Route("/calc.v1.QuoteService/{method}", order: 0);
        var before = Route("/{service}/{method}", order: -1);

        var kept = GrpcContentMatcherPolicy.WithoutOutranked([literal, after, before]);

        Assert.Equal([literal, before], kept);
        Assert.Equal([after], GrpcContentMatcherPolicy.WithoutOutranked([after]));
    }

    [Theory]
    [InlineData("application/grpc", 1)]
    [InlineData("application/grpc+proto", 1)]
    [InlineData("APPLICATION/GRPC", 1)]
    [InlineData("application/grpc-web-text", 1)]
    [InlineData("application/json", 2)]
    [InlineData("application/json; charset=utf-8", 2)]
    [InlineData(null, 2)]
    public void JumpTable_ContentType_ChoosesTheBranch(string? contentType, int destination)
    {
        var policy = new GrpcContentMatcherPolicy();
        var edges = Edges("/calc.v1.QuoteService/GetCbrRate");
        var table = policy.BuildJumpTable(-1, [new PolicyJumpTableEdge(edges[0].State, 1), new PolicyJumpTableEdge(edges[1].State, 2)]);
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;

        Assert.Equal(destination, table.GetDestination(context));
    }

    private static RouteEndpoint Route(string pattern, int order) =>
        new(_ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(pattern), order, EndpointMetadataCollection.Empty, pattern);
}
