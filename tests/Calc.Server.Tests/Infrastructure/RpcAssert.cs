using Grpc.Core;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>Assertions on gRPC failures: status code and the ErrorInfo reason in grpc-status-details-bin (Grpc.StatusProto).</summary>
internal static class RpcAssert
{
    public static async Task<RpcException> FailsAsync(Func<Task> call, string expectedStatus, string expectedReason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expectedStatus, Calc.Transport.Grpc.GrpcErrors.CodeName(e.StatusCode));
        Assert.Equal(expectedReason, ReasonOf(e));
        return e;
    }

    /// <summary>The ErrorInfo.reason carried in the status details, or null when none was sent.</summary>
    public static string? ReasonOf(RpcException e) => e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason;
}
