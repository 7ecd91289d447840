using System.CommandLine;
using Calc.Cli.Hosting;
using Calc.Cli.Output;
using Grpc.Core;

namespace Calc.Cli;

/// <summary>Runs a command's action with the shared error handling and exit codes.</summary>
internal sealed class CommandRunner(GlobalOptions options, CliConsole console, IEmbeddedServerFactory embedded)
{
    public static readonly TimeSpan DefaultUnaryTimeout = TimeSpan.FromSeconds(30);

    public GlobalOptions Options => options;

    public void SetAction(Command command, Func<Invocation, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, action, cancellationToken));

    /// <summary>A command that makes one unary call and prints its view.</summary>
    public void SetUnary<TResponse>(Command command, Func<Invocation, CalcClients, CallOptions, CancellationToken, Task<TResponse>> call,
        Func<TResponse, Invocation, CommandView> view, Func<TResponse, int>? exitCode = null) =>
        SetAction(command, async (invocation, cancellationToken) =>
        {
            await using var connection = await invocation.ConnectAsync(cancellationToken);
            var response = await call(invocation, connection.Client, invocation.CallOptions(DefaultUnaryTimeout, cancellationToken), cancellationToken);
            ViewRenderer.Render(view(response, invocation), invocation.Format, invocation.CsvDialect, invocation.Console);
            return exitCode?.Invoke(response) ?? ExitCodes.Ok;
        });

    private async Task<int> RunAsync(ParseResult parse, Func<Invocation, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        Invocation? current = null;
        try
        {
            var invocation = current = new Invocation(parse, options, console, embedded);
            _ = invocation.Format; // option conflicts fail before any connection is made
            return await action(invocation, cancellationToken);
        }
        catch (CliException e)
        {
            return Fail(e.ExitCode, e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Interrupted, "interrupted");
        }
        catch (RpcException e) when (CallErrors.IsUnreachable(e))
        {
            return Fail(ExitCodes.Unavailable, $"cannot reach the Calc server: {Cause(e)} (is it running? see --server, --embedded)");
        }
        catch (RpcException e) when (CallErrors.IsNotGrpc(e))
        {
            return Fail(ExitCodes.Unavailable, $"the server at --server did not answer as a gRPC (HTTP/2) server: {Cause(e)} "
                + "(use the gRPC address, not the HTTP/1.1 one)");
        }
        catch (RpcException e)
        {
            string described = CallErrors.Describe(e);
            return Fail(CallErrors.ExitCode(e), described, NoPriceHint(current, described));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(ExitCodes.Interrupted, "interrupted");
        }
        catch (OperationCanceledException)
        {
            return Fail(ExitCodes.CallFailed, "DEADLINE_EXCEEDED: the call did not finish within --timeout");
        }
    }

    /// <summary>A call that found no price: say where prices come from in this mode (--data, --server).</summary>
    private static string? NoPriceHint(Invocation? invocation, string message) =>
        invocation is not null && message.Contains("PRICE_NOT_FOUND", StringComparison.Ordinal) ? invocation.NoPriceHint() : null;

    /// <summary>What grpc-dotnet saw underneath (the socket or HTTP/2 error), else the status detail.</summary>
    private static string Cause(RpcException e) => e.Status.DebugException?.Message ?? e.Status.Detail;

    private int Fail(int exitCode, string message, string? hint = null)
    {
        console.Error.WriteLine("calc: " + message);
        if (hint is not null)
        {
            console.Error.WriteLine("calc: " + hint);
        }

        console.Error.Flush();
        return exitCode;
    }
}
