using Calc.Domain.Errors;
using Calc.Transport.Grpc.Connect;
using Calc.Transport.Grpc.Errors;
using Calc.Transport.Grpc.Protocol;
using Calc.Transport.Grpc.Rpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace Calc.Transport.Grpc.Tests.Protocol;

public sealed class StatusMappingTests
{
    private static readonly ErrorMapper Mapper = new(NullLogger<ErrorMapper>.Instance, new GrpcServerOptions());

    [Fact]
    public void Map_RpcException_KeepsItsStatusAndTrailers()
    {
        // Arrange
        var trailers = new Metadata { { "x-k", "v" } };
        var ex = new RpcException(new Status(StatusCode.Aborted, "conflict"), trailers);

        // Act
        var status = Mapper.Map(ex, "/p.S/M", "c1", tokenFired: false, deadlineFired: false, out var mapped);

        // Assert
        Assert.Equal(new Status(StatusCode.Aborted, "conflict"), status);
        Assert.Same(trailers, mapped);
    }

    [Fact]
    public void Map_CalcExceptionWithField_InvalidArgumentWithErrorInfoAndFieldViolation()
    {
        // Arrange
        var ex = new CalcException(CalcError.Invalid(Reasons.InvalidDecimal, "items[0].amount", "amount '1,5' is not a decimal"));

        // Act
        var status = Mapper.Map(ex, "/p.S/M", "c1", false, false, out _);

        // Assert
        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.Equal("amount '1,5' is not a decimal", status.Detail);
        var rich = GrpcErrors.DetailsOf(status)!;
        Assert.Equal((int)StatusCode.InvalidArgument, rich.Code);
        var info = rich.Details[0].Unpack<ErrorInfo>();
        Assert.Equal("INVALID_DECIMAL", info.Reason);
        Assert.Equal("calc.v1", info.Domain);
        Assert.Equal("items[0].amount", info.Metadata["field"]);
        var violation = Assert.Single(rich.Details[1].Unpack<BadRequest>().FieldViolations);
        Assert.Equal("items[0].amount", violation.Field);
        Assert.Equal("amount '1,5' is not a decimal", violation.Description);
    }

    public static TheoryData<ErrorCode, StatusCode> Codes => new()
    {
        { ErrorCode.InvalidArgument, StatusCode.InvalidArgument },
        { ErrorCode.NotFound, StatusCode.NotFound },
        { ErrorCode.FailedPrecondition, StatusCode.FailedPrecondition },
        { ErrorCode.OutOfRange, StatusCode.OutOfRange },
        { ErrorCode.ResourceExhausted, StatusCode.ResourceExhausted },
        { ErrorCode.Unavailable, StatusCode.Unavailable },
        { ErrorCode.DeadlineExceeded, StatusCode.DeadlineExceeded },
        { ErrorCode.Cancelled, StatusCode.Cancelled },
        { ErrorCode.AlreadyExists, StatusCode.AlreadyExists },
        { ErrorCode.PermissionDenied, StatusCode.PermissionDenied },
        { ErrorCode.Unauthenticated, StatusCode.Unauthenticated },
        { ErrorCode.Unimplemented, StatusCode.Unimplemented },
        { ErrorCode.Internal, StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void Map_CalcExceptionOfEachCode_StatusCodeOfSameName(ErrorCode code, StatusCode expected)
    {
        // Arrange
        var ex = new CalcException(new CalcError(code, "SOME_REASON", "m"));

        // Act
        var status = Mapper.Map(ex, "/p.S/M", "c1", false, false, out _);

        // Assert
        Assert.Equal(expected, status.StatusCode);
        Assert.Equal(new CalcError(code, "R", "m").CodeName, GrpcStatuses.CodeName(status.StatusCode));
        Assert.Single(GrpcErrors.DetailsOf(status)!.Details); // ErrorInfo only: no field, no BadRequest
    }

    [Theory]
    [InlineData(true, true, StatusCode.DeadlineExceeded)]
    [InlineData(true, false, StatusCode.Cancelled)]
    [InlineData(false, false, StatusCode.Internal)]   // a cancellation the call did not ask for is a bug
    public void Map_OperationCanceled_DependsOnWhatFired(bool tokenFired, bool deadlineFired, StatusCode expected)
    {
        var status = Mapper.Map(new OperationCanceledException(), "/p.S/M", "c1", tokenFired, deadlineFired, out _);

        Assert.Equal(expected, status.StatusCode);
    }

    [Fact]
    public void Map_UnexpectedException_InternalWithCorrelationIdAndNoExceptionText()
    {
        // Act
        var status = Mapper.Map(new InvalidOperationException("secret at Calc.Foo()"), "/p.S/M", "0HN:00000001", false, false, out _);

        // Assert
        Assert.Equal(new Status(StatusCode.Internal, "internal error (correlation id 0HN:00000001)"), status);
    }

    [Fact]
    public void Map_UnexpectedExceptionWithDetailedErrors_AddsMessageButNoStackTrace()
    {
        var mapper = new ErrorMapper(NullLogger<ErrorMapper>.Instance, new GrpcServerOptions { EnableDetailedErrors = true });

        var status = mapper.Map(new InvalidOperationException("boom"), "/p.S/M", "c9", false, false, out _);

        Assert.Equal("internal error (correlation id c9): InvalidOperationException: boom", status.Detail);
    }

    public static TheoryData<StatusCode, string, string, int> WireTable => new()
    {
        // code, grpc-status text, Connect code, Connect HTTP status
        { StatusCode.OK, "0", "internal", 500 },
        { StatusCode.Cancelled, "1", "canceled", 499 },
        { StatusCode.Unknown, "2", "unknown", 500 },
        { StatusCode.InvalidArgument, "3", "invalid_argument", 400 },
        { StatusCode.DeadlineExceeded, "4", "deadline_exceeded", 504 },
        { StatusCode.NotFound, "5", "not_found", 404 },
        { StatusCode.AlreadyExists, "6", "already_exists", 409 },
        { StatusCode.PermissionDenied, "7", "permission_denied", 403 },
        { StatusCode.ResourceExhausted, "8", "resource_exhausted", 429 },
        { StatusCode.FailedPrecondition, "9", "failed_precondition", 400 },
        { StatusCode.Aborted, "10", "aborted", 409 },
        { StatusCode.OutOfRange, "11", "out_of_range", 400 },
        { StatusCode.Unimplemented, "12", "unimplemented", 501 },
        { StatusCode.Internal, "13", "internal", 500 },
        { StatusCode.Unavailable, "14", "unavailable", 503 },
        { StatusCode.DataLoss, "15", "data_loss", 500 },
        { StatusCode.Unauthenticated, "16", "unauthenticated", 401 },
    };

    [Theory]
    [MemberData(nameof(WireTable))]
    public void WireForms_EachCode_MatchTheSpecs(StatusCode code, string grpcStatus, string connectCode, int httpStatus)
    {
        Assert.Equal(grpcStatus, GrpcStatuses.CodeText(code));
        if (code != StatusCode.OK)
        {
            Assert.Equal(connectCode, ConnectErrors.CodeName(code));
            Assert.Equal(httpStatus, ConnectErrors.HttpStatus(code));
        }
    }

    [Fact]
    public void ConnectErrorJson_CalcError_CarriesTheSameDetailsAsGrpc()
    {
        // Arrange
        var status = GrpcErrors.InvalidArgument("INVALID_DATE", "date", "date '2025-02-30' does not exist").Status;

        // Act
        using var json = System.Text.Json.JsonDocument.Parse(ConnectErrors.ToJson(status));

        // Assert
        var root = json.RootElement;
        Assert.Equal("invalid_argument", root.GetProperty("code").GetString());
        Assert.Equal("date '2025-02-30' does not exist", root.GetProperty("message").GetString());
        var details = root.GetProperty("details");
        Assert.Equal(2, details.GetArrayLength());
        Assert.Equal("google.rpc.ErrorInfo", details[0].GetProperty("type").GetString());
        Assert.Equal("INVALID_DATE", details[0].GetProperty("debug").GetProperty("reason").GetString());
        Assert.Equal("google.rpc.BadRequest", details[1].GetProperty("type").GetString());
        var value = details[1].GetProperty("value").GetString()!;
        Assert.DoesNotContain("=", value, StringComparison.Ordinal); // Connect: unpadded base64
        var padded = value + new string('=', (4 - (value.Length % 4)) % 4);
        var badRequest = BadRequest.Parser.ParseFrom(Convert.FromBase64String(padded));
        Assert.Equal("date", badRequest.FieldViolations[0].Field);
    }

    [Fact]
    public void Unavailable_WithRetryAfter_CarriesRetryInfo()
    {
        var status = GrpcErrors.Unavailable("UPSTREAM_UNAVAILABLE", "CBR is down", TimeSpan.FromSeconds(30)).Status;

        var rich = GrpcErrors.DetailsOf(status)!;

        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        Assert.Equal(30, rich.Details[1].Unpack<RetryInfo>().RetryDelay.Seconds);
    }
}
