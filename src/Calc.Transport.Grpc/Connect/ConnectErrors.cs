using System.Text;
using System.Text.Json;
using Calc.Transport.Grpc.Binding;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Calc.Transport.Grpc.Connect;

/// <summary>
/// Connect protocol errors (connectrpc.com/docs/protocol "Error end-stream"/"Unary-Response"): a non-200 HTTP
/// status mapped from the code and a JSON body <c>{"code", "message", "details": [{"type", "value", "debug"}]}</c>.
/// Details are the same google.rpc.Status details the gRPC trailer carries; <c>debug</c> is their JSON form,
/// so a 1C client can read the reason and field without decoding protobuf.
/// </summary>
internal static class ConnectErrors
{
    private static readonly JsonFormatter DebugFormatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        Google.Protobuf.Reflection.TypeRegistry.FromFiles(Rpc.ErrorDetailsReflection.Descriptor)));

    public static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.ResourceExhausted => 429,
        StatusCode.FailedPrecondition => 400,
        StatusCode.Aborted => 409,
        StatusCode.OutOfRange => 400,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.Unauthenticated => 401,
        _ => 500,
    };

    /// <summary>Connect code names: gRPC names in lower snake case, except "canceled".</summary>
    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.Cancelled => "canceled",
        StatusCode.Unknown => "unknown",
        StatusCode.InvalidArgument => "invalid_argument",
        StatusCode.DeadlineExceeded => "deadline_exceeded",
        StatusCode.NotFound => "not_found",
        StatusCode.AlreadyExists => "already_exists",
        StatusCode.PermissionDenied => "permission_denied",
        StatusCode.ResourceExhausted => "resource_exhausted",
        StatusCode.FailedPrecondition => "failed_precondition",
        StatusCode.Aborted => "aborted",
        StatusCode.OutOfRange => "out_of_range",
        StatusCode.Unimplemented => "unimplemented",
        StatusCode.Unavailable => "unavailable",
        StatusCode.DataLoss => "data_loss",
        StatusCode.Unauthenticated => "unauthenticated",
        _ => "internal",
    };

    /// <summary>The end-stream message of a Connect stream: <c>{"error": {...}, "metadata": {"k": ["v"]}}</c>.</summary>
    public static byte[] EndStreamJson(Status status, Metadata? trailers, Metadata? extraTrailers)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            if (status.StatusCode != StatusCode.OK)
            {
                json.WritePropertyName("error");
                WriteError(json, status);
            }

            if (trailers is { Count: > 0 } || extraTrailers is { Count: > 0 })
            {
                json.WriteStartObject("metadata");
                foreach (var group in (trailers ?? []).Concat(extraTrailers ?? []).GroupBy(e => e.Key))
                {
                    json.WriteStartArray(group.Key);
                    foreach (var entry in group)
                    {
                        json.WriteStringValue(entry.ValueBytes is { } b ? MetadataCodec.ToBase64(b) : entry.Value);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    public static byte[] ToJson(Status status)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            WriteError(json, status);
        }

        return stream.ToArray();
    }

    private static void WriteError(Utf8JsonWriter json, Status status)
    {
        json.WriteStartObject();
        json.WriteString("code", CodeName(status.StatusCode));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            json.WriteString("message", status.Detail);
        }

        if (GrpcErrors.DetailsOf(status) is { Details.Count: > 0 } rich)
        {
            json.WriteStartArray("details");
            foreach (var any in rich.Details)
            {
                json.WriteStartObject();
                json.WriteString("type", Any.GetTypeName(any.TypeUrl));
                json.WriteString("value", MetadataCodec.ToBase64(any.Value.Span));
                if (TryDebugJson(any) is { } debug)
                {
                    json.WritePropertyName("debug");
                    json.WriteRawValue(debug);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static string? TryDebugJson(Any any)
    {
        var descriptor = Rpc.ErrorDetailsReflection.Descriptor.MessageTypes
            .FirstOrDefault(m => m.FullName == Any.GetTypeName(any.TypeUrl));
        if (descriptor is null)
        {
            return null;
        }

        var message = descriptor.Parser.ParseFrom(any.Value);
        return DebugFormatter.Format(message);
    }

    /// <summary>UTF-8 JSON text of a Connect error, for tests and logs.</summary>
    public static string ToJsonString(Status status) => Encoding.UTF8.GetString(ToJson(status));

}
