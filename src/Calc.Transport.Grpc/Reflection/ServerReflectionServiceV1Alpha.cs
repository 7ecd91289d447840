using Google.Protobuf;
using Alpha = Calc.Transport.Grpc.Reflection.V1Alpha;

namespace Calc.Transport.Grpc.Reflection;

/// <summary>
/// <c>grpc.reflection.v1alpha.ServerReflection</c>, for clients that still ask the pre-release name. Its messages
/// are wire-identical to v1 (same fields, same numbers; only the package differs), so each request is re-read as
/// v1, answered by <see cref="ServerReflectionServiceV1"/>, and the answer re-read as v1alpha.
/// </summary>
internal sealed class ServerReflectionServiceV1Alpha(ServerReflectionServiceV1 v1)
{
    public async Task ServerReflectionInfo(IAsyncStreamReader<Alpha.ServerReflectionRequest> requestStream,
        IServerStreamWriter<Alpha.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = V1.ServerReflectionRequest.Parser.ParseFrom(requestStream.Current.ToByteString());
            var answer = Alpha.ServerReflectionResponse.Parser.ParseFrom(v1.Answer(request).ToByteString());
            await responseStream.WriteAsync(answer, context.CancellationToken);
        }
    }
}
