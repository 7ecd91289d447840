using System.Runtime.CompilerServices;
using Calc.V1;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Calc.Reliability.Tests.Infrastructure;

/// <summary>Grpc.Net.Client channels for the tests: no retries (a test observes every failure), 64 MB messages.</summary>
public static class RpcChannel
{
    public static GrpcChannel For(Uri address, HttpMessageHandler? handler = null) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = handler,
        DisposeHttpClient = handler is not null,
        MaxReceiveMessageSize = 64 * 1024 * 1024,
        MaxSendMessageSize = 64 * 1024 * 1024,
        MaxRetryAttempts = 0,
    });
}

/// <summary>
/// The generated clients of one channel, every call with a deadline: 30 s unless the call sets its own (an
/// interceptor adds it), so a hung server fails a test instead of holding the run.
/// </summary>
public sealed class CalcClients
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    public CalcClients(GrpcChannel channel)
    {
        var invoker = channel.Intercept(new DeadlineInterceptor(DefaultDeadline));
        Quotes = new QuoteService.QuoteServiceClient(invoker);
        Income = new IncomeService.IncomeServiceClient(invoker);
        Tax = new TaxService.TaxServiceClient(invoker);
        Collateral = new CollateralService.CollateralServiceClient(invoker);
    }

    public QuoteService.QuoteServiceClient Quotes { get; }

    public IncomeService.IncomeServiceClient Income { get; }

    public TaxService.TaxServiceClient Tax { get; }

    public CollateralService.CollateralServiceClient Collateral { get; }

    /// <summary>StreamRecognizeIncome: writes <paramref name="requests"/> as produced, yields responses as they arrive.</summary>
    public async IAsyncEnumerable<RecognizeIncomeStreamResponse> StreamRecognizeIncomeAsync(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests,
        CallOptions options = default, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = Income.StreamRecognizeIncome(options.WithCancellationToken(cancellationToken));
        var sending = Task.Run(async () =>
        {
            try
            {
                await foreach (var request in requests.WithCancellation(cancellationToken))
                {
                    await call.RequestStream.WriteAsync(request, cancellationToken);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
            {
                // the call ended while requests were still being written: the response side reports how
            }
        }, CancellationToken.None);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            yield return response;
        }

        await sending;
    }

    private sealed class DeadlineInterceptor(TimeSpan deadline) : Interceptor
    {
        private static ClientInterceptorContext<TRequest, TResponse> With<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, TimeSpan deadline)
            where TRequest : class where TResponse : class =>
            context.Options.Deadline is not null ? context
                : new(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline));

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation) => continuation(request, With(context, deadline));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context,
            AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) => continuation(With(context, deadline));
    }
}

/// <summary>Status names and google.rpc details of a failed call (decoded by Grpc.StatusProto).</summary>
public static class RpcAssert
{
    public static async Task<RpcException> FailsAsync(Func<Task> call, string expectedStatus, string expectedReason)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expectedStatus, e.StatusName());
        Assert.Equal(expectedReason, ReasonOf(e));
        return e;
    }

    /// <summary>The ErrorInfo.reason carried in the status details, or null when none was sent.</summary>
    public static string? ReasonOf(RpcException e) => e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;

    /// <summary>RetryInfo.retry_delay, or null.</summary>
    public static TimeSpan? RetryDelay(RpcException e) => e.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan();

    /// <summary>DEADLINE_EXCEEDED for <see cref="StatusCode.DeadlineExceeded"/>.</summary>
    public static string StatusName(this RpcException e) => Wire.StatusName((int)e.StatusCode);
}
