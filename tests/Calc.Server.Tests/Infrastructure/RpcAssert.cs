using Calc.Client;

namespace Calc.Server.Tests.Infrastructure;

/// <summary>Assertions on gRPC failures: status code and the ErrorInfo reason in grpc-status-details-bin.</summary>
internal static class RpcAssert
{
    public static async Task<CalcRpcException> FailsAsync(Func<Task> call, string expectedStatus, string expectedReason)
    {
        var e = await Assert.ThrowsAsync<CalcRpcException>(call);
        Assert.Equal(expectedStatus, e.StatusName());
        Assert.Equal(expectedReason, ReasonOf(e));
        return e;
    }

    /// <summary>The ErrorInfo.reason carried in the status details, or null when none was sent.</summary>
    public static string? ReasonOf(CalcRpcException e)
    {
        if (e.StatusDetailsBin is null)
        {
            return null;
        }

        var status = Calc.Transport.Grpc.Rpc.Status.Parser.ParseFrom(e.StatusDetailsBin);
        foreach (var any in status.Details)
        {
            if (any.TryUnpack<Calc.Transport.Grpc.Rpc.ErrorInfo>(out var info))
            {
                return info.Reason;
            }
        }

        return null;
    }
}
