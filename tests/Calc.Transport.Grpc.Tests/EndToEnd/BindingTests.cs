using Calc.Transport.Grpc.Binding;
using Calc.Transport.Grpc.Tests.Infrastructure;
using Calc.Transport.Grpc.Tests.Probe;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Tests.EndToEnd;

public sealed class BindingTests
{
    private static readonly IServiceProvider EmptyProvider = new ServiceCollection().BuildServiceProvider();

    [Fact]
    public void Bind_ServiceMissingAMethodAndWithAWrongSignature_OneMessageListingBoth()
    {
        // Arrange
        var descriptor = ProbeReflection.Descriptor.Services.Single(s => s.Name == "Broken");

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => ServiceBinder.Bind<BrokenService>(descriptor, lifetime: null, EmptyProvider));

        // Assert
        Assert.Equal(
            "gRPC service class Calc.Transport.Grpc.Tests.Infrastructure.BrokenService does not implement calc.transport.test.Broken:" +
            "\n  - Run: wrong signature Task<ProbeReply> Run(ProbeRequest); expected Task<ProbeReply> Run(ProbeRequest, ServerCallContext)" +
            "\n  - Missing: no public method; expected Task<ProbeReply> Missing(ProbeRequest, ServerCallContext)",
            error.Message);
    }

    [Fact]
    public void Bind_CompleteService_OneRoutePerRpcWithItsKind()
    {
        // Arrange
        var descriptor = ProbeReflection.Descriptor.Services.Single(s => s.Name == "Probe");

        // Act
        var methods = ServiceBinder.Bind<ProbeService>(descriptor, ServiceLifetime.Scoped, EmptyProvider);

        // Assert
        Assert.Equal(
            ["/calc.transport.test.Probe/Run unary", "/calc.transport.test.Probe/Stream server", "/calc.transport.test.Probe/Collect client",
             "/calc.transport.test.Probe/Echo bidi"],
            methods.Select(m => m.Path + " " + (m.Descriptor.IsClientStreaming, m.Descriptor.IsServerStreaming) switch
            {
                (false, false) => "unary",
                (false, true) => "server",
                (true, false) => "client",
                _ => "bidi",
            }));
    }
}
