using Calc.Transport.Grpc.Reflection.V1;

namespace Calc.Transport.Grpc.Reflection;

/// <summary>
/// <c>grpc.reflection.v1.ServerReflection</c>: one response per request on a bidirectional stream, answered from
/// <see cref="ReflectionIndex"/> (grpc/grpc doc/server-reflection.md). Unknown names get NOT_FOUND in an
/// error_response, never a failed stream.
/// </summary>
internal sealed class ServerReflectionServiceV1(ReflectionIndex index)
{
    public async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream,
        IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(Answer(requestStream.Current), context.CancellationToken);
        }
    }

    /// <summary>One reflection answer (also used by the v1alpha service, whose messages are wire-identical).</summary>
    internal ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(index.ServiceNames.Select(n => new ServiceResponse { Name = n }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFiles(response, index.FileByName(request.FileByFilename), "file", request.FileByFilename);
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFiles(response, index.FileContainingSymbol(request.FileContainingSymbol), "symbol", request.FileContainingSymbol);
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var ext = request.FileContainingExtension;
                SetFiles(response, index.FileContainingExtension(ext.ContainingType, ext.ExtensionNumber), "extension",
                    ext.ContainingType + "/" + ext.ExtensionNumber);
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.ExtensionNumbersOf(request.AllExtensionNumbersOfType) is { } numbers)
                {
                    var numbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                    numbersResponse.ExtensionNumber.AddRange(numbers);
                    response.AllExtensionNumbersResponse = numbersResponse;
                }
                else
                {
                    SetError(response, StatusCode.NotFound, "type not found: " + request.AllExtensionNumbersOfType);
                }

                break;
            default:
                SetError(response, StatusCode.InvalidArgument, "empty or unknown reflection request");
                break;
        }

        return response;
    }

    private static void SetFiles(ServerReflectionResponse response, IReadOnlyList<Google.Protobuf.ByteString>? files, string kind, string name)
    {
        if (files is null)
        {
            SetError(response, StatusCode.NotFound, kind + " not found: " + name);
            return;
        }

        var fd = new FileDescriptorResponse();
        fd.FileDescriptorProto.AddRange(files);
        response.FileDescriptorResponse = fd;
    }

    private static void SetError(ServerReflectionResponse response, StatusCode code, string message) =>
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
}
