using Calc.Transport.Grpc.Health;
using Calc.Transport.Grpc.Health.V1;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ReflectionV1 = Calc.Transport.Grpc.Reflection.V1;
using V1Alpha = Calc.Transport.Grpc.Reflection.V1Alpha;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

[Collection(ServerCollection.Name)]
public sealed class StandardServicesTests(ServerFixture server)
{
    private const string Check = "/grpc.health.v1.Health/Check";

    [Fact]
    public async Task HealthCheck_OverallServer_Serving()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Check, new HealthCheckRequest { Service = "" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Message(HealthCheckResponse.Parser).Status);
    }

    [Fact]
    public async Task HealthCheck_UnknownService_NotFound()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, Check, new HealthCheckRequest { Service = "no.such.Service" });

        Assert.Equal(5, response.GrpcStatus);
    }

    [Fact]
    public async Task HealthWatch_StatusChanges_StreamedAsTheyHappen()
    {
        // Arrange
        var registry = server.Services.GetRequiredService<HealthStatusRegistry>();
        using var client = server.CreateHttp2Client();
        await using var call = await DuplexCall.StartAsync(client, "/grpc.health.v1.Health/Watch");
        await call.WriteAsync(new HealthCheckRequest { Service = "calc.test.Watched" });
        call.CompleteRequest();

        // Act / Assert
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.ServiceUnknown, (await call.ReadAsync(HealthCheckResponse.Parser))!.Status);
        registry.SetStatus("calc.test.Watched", HealthCheckResponse.Types.ServingStatus.Serving);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await call.ReadAsync(HealthCheckResponse.Parser))!.Status);
        registry.SetStatus("calc.test.Watched", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await call.ReadAsync(HealthCheckResponse.Parser))!.Status);
    }

    [Fact]
    public void HealthRegistry_BeforeTheHostReportsReadiness_NotServing()
    {
        var registry = new HealthStatusRegistry();

        Assert.True(registry.TryGetStatus("", out var status));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
    }

    [Fact]
    public async Task ReflectionV1_ListServices_EveryMappedService()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            new ReflectionV1.ServerReflectionRequest { ListServices = "" });

        var names = response.Message(ReflectionV1.ServerReflectionResponse.Parser).ListServicesResponse.Service.Select(s => s.Name).ToArray();
        Assert.Equal(
            ["calc.transport.test.Probe", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
             "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"],
            names);
    }

    [Fact]
    public async Task ReflectionV1_FileContainingSymbol_FileThenItsDependencies()
    {
        using var client = server.CreateHttp2Client();

        var response = await RawGrpc.CallAsync(client, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            new ReflectionV1.ServerReflectionRequest { FileContainingSymbol = "grpc.testing.TestService.UnaryCall" });

        var files = response.Message(ReflectionV1.ServerReflectionResponse.Parser).FileDescriptorResponse.FileDescriptorProto
            .Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
        Assert.Equal(["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"], files);
    }

    [Fact]
    public async Task ReflectionV1Alpha_BidiSeveralRequests_OneAnswerEachInOrder()
    {
        // Arrange
        using var client = server.CreateHttp2Client();
        await using var call = await DuplexCall.StartAsync(client, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

        // Act
        await call.WriteAsync(new V1Alpha.ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });
        var byName = await call.ReadAsync(V1Alpha.ServerReflectionResponse.Parser);
        await call.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" });
        var unknown = await call.ReadAsync(V1Alpha.ServerReflectionResponse.Parser);
        await call.WriteAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = "calc.transport.test.ProbeRequest" });
        var message = await call.ReadAsync(V1Alpha.ServerReflectionResponse.Parser);
        call.CompleteRequest();

        // Assert
        Assert.Equal("grpc/health/v1/health.proto",
            FileDescriptorProto.Parser.ParseFrom(byName!.FileDescriptorResponse.FileDescriptorProto[0]).Name);
        Assert.Equal(5, unknown!.ErrorResponse.ErrorCode);
        Assert.Equal("Protos/probe.proto", FileDescriptorProto.Parser.ParseFrom(message!.FileDescriptorResponse.FileDescriptorProto[0]).Name);
        Assert.Null(await call.ReadAsync(V1Alpha.ServerReflectionResponse.Parser));
    }
}
