using System.Net.Sockets;
using System.Text;
using Google.Rpc;
using Grpc.Core;

namespace Calc.Cli;

/// <summary>One-line descriptions of failed calls, with the reason and field violations the server sent.</summary>
internal static class CallErrors
{
    public static string Describe(RpcException e)
    {
        string detail = e.StatusCode == StatusCode.DeadlineExceeded && e.Status.Detail == "Deadline Exceeded"
            ? "no answer within the call's deadline (--timeout)" // grpc-dotnet's own timer fired before the server's status arrived
            : e.Status.Detail;
        string text = $"{StatusName(e.StatusCode)}: {detail}";
        Google.Rpc.Status? status;
        try
        {
            status = e.GetRpcStatus();
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return text; // details are optional decoration; the status line is what matters
        }

        foreach (var any in status?.Details ?? [])
        {
            if (any.TryUnpack<ErrorInfo>(out var info) && !text.Contains(info.Reason, StringComparison.Ordinal))
            {
                text += $" [{info.Reason}]";
            }
            else if (any.TryUnpack<BadRequest>(out var bad))
            {
                foreach (var v in bad.FieldViolations)
                {
                    text += $"; {v.Field}: {v.Description}";
                }
            }
        }

        return text;
    }

    public static int ExitCode(RpcException e) => e.StatusCode == StatusCode.Unavailable ? ExitCodes.Unavailable : ExitCodes.CallFailed;

    /// <summary>No connection could be made: refused, unresolvable, unreachable (the status grpc-dotnet gives is UNAVAILABLE).</summary>
    public static bool IsUnreachable(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        && (e.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
            or HttpRequestException { InnerException: SocketException } or SocketException
            || e.Status.Detail.StartsWith("Error connecting to subchannel", StringComparison.Ordinal));

    /// <summary>A connection was made but what answered was not an HTTP/2 gRPC server (an HTTP/1.1 port, a web server).</summary>
    public static bool IsNotGrpc(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown
        && e.Status.DebugException is HttpRequestException or IOException;

    /// <summary>The gRPC name of a status code: DEADLINE_EXCEEDED for <see cref="StatusCode.DeadlineExceeded"/>.</summary>
    public static string StatusName(StatusCode code)
    {
        if (code == StatusCode.OK)
        {
            return "OK";
        }

        string name = code.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (int k = 0; k < name.Length; k++)
        {
            if (k > 0 && char.IsUpper(name[k]))
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(name[k]));
        }

        return text.ToString();
    }
}
