using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Calc.V1;
using Grpc.Core;

namespace Calc.Cli.Hosting;

/// <summary>StreamRecognizeIncome through the generated client, in the shape the income run consumes.</summary>
internal static class IncomeStream
{
    /// <summary>
    /// Sends <paramref name="requests"/> as they are produced while yielding the responses as they arrive. When
    /// the server ends the call while requests are still being written, the response side reports its status.
    /// When producing the requests fails, the call is cancelled and that failure is what the caller sees.
    /// </summary>
    public static async IAsyncEnumerable<RecognizeIncomeStreamResponse> Call(IncomeService.IncomeServiceClient client,
        IAsyncEnumerable<RecognizeIncomeStreamRequest> requests, CallOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = client.StreamRecognizeIncome(options.WithCancellationToken(abort.Token));
        var sender = new Sender(call.RequestStream, abort);
        var sending = sender.SendAsync(requests, abort.Token);
        await using var responses = call.ResponseStream.ReadAllAsync(abort.Token).GetAsyncEnumerator(abort.Token);
        while (true)
        {
            bool more;
            try
            {
                more = await responses.MoveNextAsync();
            }
            catch (Exception) when (sender.Failure is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
                throw;
            }

            if (!more)
            {
                break;
            }

            yield return responses.Current;
        }

        await sending;
        if (sender.Failure is { } late)
        {
            ExceptionDispatchInfo.Throw(late);
        }
    }

    private sealed class Sender(IClientStreamWriter<RecognizeIncomeStreamRequest> writer, CancellationTokenSource abort)
    {
        public Exception? Failure { get; private set; }

        public async Task SendAsync(IAsyncEnumerable<RecognizeIncomeStreamRequest> requests, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var request in requests.WithCancellation(cancellationToken))
                {
                    if (!await WriteAsync(() => writer.WriteAsync(request, cancellationToken)))
                    {
                        return;
                    }
                }

                await WriteAsync(writer.CompleteAsync);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // the caller (or the response side) ended the call: nothing more to send
            }
            catch (Exception e)
            {
                // producing the requests failed (an unreadable input, a contract check of the run)
                Failure = e;
                await abort.CancelAsync();
            }
        }

        /// <summary>False when the call has already ended: its response side reports how.</summary>
        private static async Task<bool> WriteAsync(Func<Task> write)
        {
            try
            {
                await write();
                return true;
            }
            catch (RpcException)
            {
                return false; // ended with a status while requests were still being written
            }
            catch (InvalidOperationException)
            {
                return false; // grpc-dotnet: "the call is complete" (the server answered before reading every request)
            }
        }
    }
}
