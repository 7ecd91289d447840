using Calc.Cli.Rpc;
using Calc.Client;

namespace Calc.Cli;

/// <summary>One-line descriptions of failed calls, with the reason and field violations the server sent.</summary>
internal static class CallErrors
{
    public static string Describe(CalcRpcException e)
    {
        string text = $"{e.StatusName()}: {e.Detail}";
        if (e.StatusDetailsBin is not { Length: > 0 } bin)
        {
            return text;
        }

        try
        {
            var status = Status.Parser.ParseFrom(bin);
            foreach (var detail in status.Details)
            {
                if (detail.Is(ErrorInfo.Descriptor) && !text.Contains(detail.Unpack<ErrorInfo>().Reason, StringComparison.Ordinal))
                {
                    text += $" [{detail.Unpack<ErrorInfo>().Reason}]";
                }
                else if (detail.Is(BadRequest.Descriptor))
                {
                    foreach (var v in detail.Unpack<BadRequest>().FieldViolations)
                    {
                        text += $"; {v.Field}: {v.Description}";
                    }
                }
            }
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            // details are optional decoration; the status line above is what matters
        }

        return text;
    }

    public static int ExitCode(CalcRpcException e) => e.StatusCode == 14 ? ExitCodes.Unavailable : ExitCodes.CallFailed;
}
