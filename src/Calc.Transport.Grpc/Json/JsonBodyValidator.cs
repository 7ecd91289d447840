using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Calc.Transport.Grpc.Json;

/// <summary>
/// Checks the JSON body of a transcoded call against the request's message descriptor before JSON
/// transcoding parses it, because transcoding answers any malformed body with one fixed message ("Request
/// JSON payload is not correctly formatted.") that names neither the field nor the expected form. Refused
/// with INVALID_ARGUMENT (HTTP 400), an ErrorInfo reason and a BadRequest field violation whose field is the
/// JSON path of the first offending value (<c>receipts[7345].receivedAt</c>):
/// <list type="bullet">
/// <item><c>MALFORMED_JSON</c>: not JSON, or not an object where a message is expected; <c>INVALID_UTF8</c>: bytes that are not UTF-8;</item>
/// <item><c>UNKNOWN_FIELD</c>: a name that is not a field of that message (names the message type and its fields);</item>
/// <item><c>INVALID_JSON_VALUE</c>: a value of the wrong JSON type (a number where a string is expected, …);</item>
/// <item><c>INVALID_TIMESTAMP</c> / <c>INVALID_ENUM</c>: a timestamp that is not RFC 3339, an unknown enum name;</item>
/// <item><c>UNSUPPORTED_MEDIA_TYPE</c> (HTTP 415): no JSON content type;</item>
/// <item><c>MESSAGE_TOO_LARGE</c> (HTTP 413, RESOURCE_EXHAUSTED): a body over the smaller of <c>Grpc:MaxReceiveMessageSize</c>
/// (the body is one gRPC message) and Kestrel's request body limit (<c>Limits:MaxRequestBodyBytes</c>), naming that
/// limit in bytes and its key, whether the body declares its length or is chunked;</item>
/// <item><c>REQUEST_BODY_TOO_SLOW</c> (HTTP 408, DEADLINE_EXCEEDED): a body trickled slower than Kestrel's minimum request
/// body data rate, naming the rate and grace period.</item>
/// </list>
/// Both are the client's doing: answered with the JSON status and logged at Debug only (no error, no stack trace).
/// Accepted bodies are passed on unchanged (the check reads a copy held in memory; the request size limits
/// of Kestrel bound it). Field names are accepted in lowerCamelCase and as in the .proto, as transcoding does.
/// </summary>
public sealed partial class JsonBodyValidator(
    RequestDelegate next,
    Microsoft.Extensions.Options.IOptions<GrpcServerOptions> options,
    Microsoft.Extensions.Logging.ILogger<JsonBodyValidator> logger)
{
    private readonly long _limit = options.Value.MaxReceiveMessageSize;

    public const string MalformedJson = "MALFORMED_JSON";
    public const string InvalidUtf8 = "INVALID_UTF8";
    public const string UnknownField = "UNKNOWN_FIELD";
    public const string InvalidJsonValue = "INVALID_JSON_VALUE";
    public const string InvalidTimestamp = "INVALID_TIMESTAMP";
    public const string InvalidEnum = "INVALID_ENUM";

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>();
        if (metadata is null || string.IsNullOrEmpty(metadata.HttpRule.Body))
        {
            await next(context);
            return;
        }

        if (!IsJson(context.Request.ContentType))
        {
            // transcoding would answer 400 with no reason; the media type is what is wrong
            var request = context.Request;
            await JsonErrors.WriteAsync(context.Response, StatusCodes.Status415UnsupportedMediaType, JsonErrors.Status(StatusCode.InvalidArgument,
                JsonStatusPages.UnsupportedMediaType,
                $"{request.Method} {request.Path} takes a JSON body: send content-type: application/json (got '{request.ContentType}')"));
            return;
        }

        // the limit that binds: the message limit, or Kestrel's body limit when an operator set it lower
        var (limit, limitKey) = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is long bodyLimit && bodyLimit < _limit
            ? (bodyLimit, GrpcErrors.BodyLimitKey)
            : (_limit, GrpcErrors.MessageLimitKey);
        byte[]? body;
        try
        {
            body = context.Request.ContentLength > limit ? null : await ReadAllAsync(context.Request.Body, limit, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null; // Kestrel's own count reached its limit first: the same figure, named above
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // slower than Kestrel's MinRequestBodyDataRate: the client's doing, answered and logged at Debug
            var rate = context.Features.Get<IHttpMinRequestBodyDataRateFeature>()?.MinDataRate;
            LogRefused(logger, context.Request.Path, GrpcErrors.RequestBodyTooSlow, rate?.BytesPerSecond ?? 0);
            await JsonErrors.WriteAsync(context.Response, StatusCodes.Status408RequestTimeout,
                GrpcErrors.TooSlow(rate?.BytesPerSecond ?? 0, rate?.GracePeriod ?? TimeSpan.Zero));
            return;
        }

        if (body is null)
        {
            // 413 rather than the 429 of RESOURCE_EXHAUSTED (retrying will not help); the configured limit, not what was read
            LogRefused(logger, context.Request.Path, GrpcErrors.MessageTooLarge, limit);
            await JsonErrors.WriteAsync(context.Response, StatusCodes.Status413PayloadTooLarge, GrpcErrors.TooLarge(limit, limitKey, "request body"));
            return;
        }

        var descriptor = metadata.MethodDescriptor.InputType;
        if (metadata.HttpRule.Body != "*")
        {
            descriptor = descriptor.FindFieldByName(metadata.HttpRule.Body)?.MessageType ?? descriptor;
        }

        if (Check(body, descriptor) is { } error)
        {
            await JsonErrors.WriteAsync(context.Response, error);
            return;
        }

        context.Request.Body = new MemoryStream(body, writable: false);
        await next(context);
    }

    /// <summary>The first problem of <paramref name="json"/> as a request of type <paramref name="message"/>, or null when it is acceptable.</summary>
    public static RpcException? Check(ReadOnlySpan<byte> json, MessageDescriptor message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            // Utf8JsonReader checks the structure, not the bytes inside strings; transcoding would refuse them with no reason
            return Fail(InvalidUtf8, "", $"the body is not valid UTF-8 (byte {FirstInvalidUtf8(json) + 1}); send JSON encoded as UTF-8");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var path = new PathBuilder();
        try
        {
            if (!reader.Read())
            {
                return Fail(MalformedJson, "", $"the body is empty; expected a JSON object ({message.FullName})");
            }

            var error = CheckMessage(ref reader, message, path);
            if (error is null && reader.Read())
            {
                return Fail(MalformedJson, "", "the body holds more than one JSON value");
            }

            return error;
        }
        catch (JsonException e)
        {
            var at = path.ToString();
            return Fail(MalformedJson, at,
                $"the body is not valid JSON{(at.Length > 0 ? " at " + at : "")} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
    }

    /// <summary>Offset of the first byte that does not start or continue a valid UTF-8 sequence.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += consumed;
        }

        return i;
    }

    private static RpcException? CheckMessage(ref Utf8JsonReader reader, MessageDescriptor message, PathBuilder path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a JSON object ({message.FullName}), got {Describe(ref reader)}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            var field = message.FindFieldByName(name) ?? FindByJsonName(message, name);
            path.Push(name);
            reader.Read();
            if (field is null)
            {
                return Fail(UnknownField, path.ToString(),
                    $"unknown field '{name}' in {message.FullName}{(path.Depth > 1 ? " at " + path.Parent() : "")}; its fields are {string.Join(", ", message.Fields.InFieldNumberOrder().Select(f => f.JsonName))}");
            }

            var error = reader.TokenType == JsonTokenType.Null ? null : CheckField(ref reader, field, path);
            if (error is not null)
            {
                return error;
            }

            path.Pop();
        }

        return null;
    }

    private static FieldDescriptor? FindByJsonName(MessageDescriptor message, string name)
    {
        foreach (var f in message.Fields.InDeclarationOrder())
        {
            if (f.JsonName == name)
            {
                return f;
            }
        }

        return null;
    }

    private static RpcException? CheckField(ref Utf8JsonReader reader, FieldDescriptor field, PathBuilder path)
    {
        if (field.IsMap)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a JSON object (a map), got {Describe(ref reader)}");
            }

            var valueField = field.MessageType.FindFieldByNumber(2);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                path.Push(reader.GetString()!);
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null && CheckValue(ref reader, valueField, path) is { } error)
                {
                    return error;
                }

                path.Pop();
            }

            return null;
        }

        if (field.IsRepeated)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a JSON array, got {Describe(ref reader)}");
            }

            int index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                path.Index(index++);
                if (CheckValue(ref reader, field, path) is { } error)
                {
                    return error;
                }

                path.Pop();
            }

            return null;
        }

        return CheckValue(ref reader, field, path);
    }

    private static RpcException? CheckValue(ref Utf8JsonReader reader, FieldDescriptor field, PathBuilder path)
    {
        var token = reader.TokenType;
        switch (field.FieldType)
        {
            case FieldType.String:
                return token == JsonTokenType.String ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a JSON string, got {Describe(ref reader)}{(token == JsonTokenType.Number ? $" (write it in quotes: \"{Raw(ref reader)}\")" : "")}");
            case FieldType.Bytes:
                return token == JsonTokenType.String ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected base64 bytes in a JSON string, got {Describe(ref reader)}");
            case FieldType.Bool:
                return token is JsonTokenType.True or JsonTokenType.False ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected true or false, got {Describe(ref reader)}");
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.UInt32 or FieldType.Fixed32
                or FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64:
                return IsInteger(ref reader) ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected an integer (a JSON number, or a string of digits), got {Describe(ref reader)}");
            case FieldType.Double or FieldType.Float:
                return token == JsonTokenType.Number || (token == JsonTokenType.String && IsFloatText(reader.GetString()!)) ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a number, got {Describe(ref reader)}");
            case FieldType.Enum:
                return CheckEnum(ref reader, field.EnumType, path);
            case FieldType.Message or FieldType.Group:
                return CheckMessageValue(ref reader, field.MessageType, path);
            default:
                reader.Skip();
                return null;
        }
    }

    private static RpcException? CheckMessageValue(ref Utf8JsonReader reader, MessageDescriptor type, PathBuilder path)
    {
        switch (type.FullName)
        {
            case "google.protobuf.Timestamp":
                if (reader.TokenType == JsonTokenType.String && IsTimestamp(reader.GetString()!))
                {
                    return null;
                }

                return Fail(InvalidTimestamp, path.ToString(),
                    $"{Where(path)}expected an RFC 3339 timestamp in UTC such as \"2025-03-15T21:30:00Z\", got {Describe(ref reader)}");
            case "google.protobuf.Duration":
                return reader.TokenType == JsonTokenType.String && reader.GetString()!.EndsWith('s') ? null
                    : Fail(InvalidJsonValue, path.ToString(), $"{Where(path)}expected a duration string such as \"1.5s\", got {Describe(ref reader)}");
            case "google.protobuf.Struct" or "google.protobuf.Value" or "google.protobuf.ListValue" or "google.protobuf.Any" or "google.protobuf.FieldMask":
                reader.Skip();
                return null;
        }

        if (type.File.Package == "google.protobuf" && type.Name.EndsWith("Value", StringComparison.Ordinal))
        {
            return CheckValue(ref reader, type.FindFieldByNumber(1), path); // wrappers: the bare value
        }

        return CheckMessage(ref reader, type, path);
    }

    private static RpcException? CheckEnum(ref Utf8JsonReader reader, EnumDescriptor type, PathBuilder path)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out _))
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.String && type.FindValueByName(reader.GetString()!) is not null)
        {
            return null;
        }

        return Fail(InvalidEnum, path.ToString(),
            $"{Where(path)}expected one of {string.Join(", ", type.Values.Select(v => v.Name))} ({type.FullName}), got {Describe(ref reader)}");
    }

    private static bool IsInteger(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.TryGetInt64(out _) || reader.TryGetUInt64(out _) || (reader.TryGetDecimal(out var d) && d == decimal.Truncate(d)),
        JsonTokenType.String => long.TryParse(reader.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
            || ulong.TryParse(reader.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _),
        _ => false,
    };

    private static bool IsFloatText(string s) =>
        s is "NaN" or "Infinity" or "-Infinity"
        || double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    private static bool IsTimestamp(string text)
    {
        try
        {
            _ = JsonParser.Default.Parse<Timestamp>(JsonSerializer.Serialize(text));
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
        catch (InvalidJsonException)
        {
            return false;
        }
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Truncate(reader.GetString()!)}\"",
        JsonTokenType.Number => $"the number {Raw(ref reader)}",
        JsonTokenType.True or JsonTokenType.False => $"{Raw(ref reader)}",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    private static string Raw(ref Utf8JsonReader reader) => Truncate(System.Text.Encoding.UTF8.GetString(reader.ValueSpan));

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static string Where(PathBuilder path) => path.Depth == 0 ? "" : path + ": ";

    private static RpcException Fail(string reason, string field, string message) =>
        GrpcErrors.InvalidArgument(reason, field, message);

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The whole body, or null once it is over <paramref name="limit"/> bytes (the rest is not read).</summary>
    private static async Task<byte[]?> ReadAllAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2201, Level = Microsoft.Extensions.Logging.LogLevel.Debug,
        Message = "JSON request body to {Path} refused: {Reason} (limit {Limit})")]
    private static partial void LogRefused(Microsoft.Extensions.Logging.ILogger logger, string path, string reason, double limit);

    /// <summary>The JSON path being read, e.g. <c>receipts[7345].receivedAt</c>.</summary>
    private sealed class PathBuilder
    {
        private readonly List<string> _parts = [];

        public int Depth => _parts.Count;

        public void Push(string name) => _parts.Add(_parts.Count == 0 ? name : "." + name);

        public void Index(int index) => _parts.Add("[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]");

        public void Pop() => _parts.RemoveAt(_parts.Count - 1);

        public string Parent() => string.Concat(_parts.Take(_parts.Count - 1));

        public override string ToString() => string.Concat(_parts);
    }
}
