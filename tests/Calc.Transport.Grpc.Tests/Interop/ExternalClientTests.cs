namespace Calc.Transport.Grpc.Tests.Interop;

/// <summary>
/// Every interop case of protocol.md against the interop server process with two independent clients
/// (Python grpcio, Node grpc-js), and reflection with buf curl. Same checks as tests/interop/run-interop.sh.
/// </summary>
public sealed class ExternalClientTests(InteropServerProcess server) : IClassFixture<InteropServerProcess>
{
    private static readonly string[] Cases =
    [
        "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream", "custom_metadata",
        "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "client_compressed_unary",
        "server_compressed_unary", "client_compressed_streaming", "server_compressed_streaming",
    ];

    [ExternalClientFact("python")]
    public void PythonGrpcio_AllInteropCases_Pass()
    {
        var (exit, output) = ExternalTools.Run(ExternalTools.Python,
            $"interop_client.py --port {server.Port}", TimeSpan.FromMinutes(3));

        AssertAllPassed("python", exit, output);
    }

    [ExternalClientFact("node")]
    public void NodeGrpcJs_AllInteropCases_Pass()
    {
        var (exit, output) = ExternalTools.Run("node", $"interop-client.js --port {server.Port}", TimeSpan.FromMinutes(3));

        AssertAllPassed("node", exit, output);
    }

    [ExternalClientFact("buf")]
    public void BufCurl_ListServicesByReflection_AllServices()
    {
        var (exit, output) = Buf($"--protocol grpc --http2-prior-knowledge --list-services http://127.0.0.1:{server.Port}");

        Assert.True(exit == 0, output);
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
    }

    [ExternalClientFact("buf")]
    public void BufCurl_V1AlphaReflection_ListsMethods()
    {
        var (exit, output) = Buf($"--protocol grpc --http2-prior-knowledge --reflect-protocol grpc-v1alpha --list-methods http://127.0.0.1:{server.Port}");

        Assert.True(exit == 0, output);
        Assert.Contains("grpc.testing.TestService/FullDuplexCall", output, StringComparison.Ordinal);
    }

    [ExternalClientFact("buf")]
    public void BufCurl_GrpcCallWithSchemaFromReflection_Response()
    {
        var (exit, output) = Buf($"--http2-prior-knowledge --protocol grpc -d '{{\"responseSize\": 3}}' http://127.0.0.1:{server.Port}/grpc.testing.TestService/UnaryCall");

        Assert.True(exit == 0, output);
        Assert.Contains("\"body\": \"AAAA\"", output, StringComparison.Ordinal);
    }

    [ExternalClientFact("buf")]
    public void BufCurl_GrpcError_StatusAndMessage()
    {
        var (exit, output) = Buf($"--http2-prior-knowledge --protocol grpc -d '{{\"responseStatus\": {{\"code\": 3, \"message\": \"bad row\"}}}}' http://127.0.0.1:{server.Port}/grpc.testing.TestService/UnaryCall");

        Assert.NotEqual(0, exit);
        Assert.Contains("\"code\": \"invalid_argument\"", output, StringComparison.Ordinal);
        Assert.Contains("\"message\": \"bad row\"", output, StringComparison.Ordinal);
    }

    private static (int, string) Buf(string arguments) =>
        ExternalTools.Run("/bin/sh", $"-c \"'{ExternalTools.Buf}' curl {arguments.Replace("\"", "\\\"", StringComparison.Ordinal)}\"", TimeSpan.FromMinutes(1));

    private static void AssertAllPassed(string client, int exit, string output)
    {
        foreach (var name in Cases)
        {
            Assert.True(output.Contains($"PASS {client} {name}\n", StringComparison.Ordinal), $"{client} {name} did not pass:\n{output}");
        }

        Assert.True(exit == 0, output);
    }
}
