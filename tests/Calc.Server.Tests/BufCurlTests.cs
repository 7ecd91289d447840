using System.Diagnostics;
using System.Text.Json;
using Calc.Server.Tests.Infrastructure;
using Calc.Tests.Shared;

namespace Calc.Server.Tests;

/// <summary>
/// The request the README gives integrators, made by an independent gRPC client (buf curl, npm
/// <c>@bufbuild/buf</c> under protos/) against the real server: once with the schema read from protos/, once
/// from the server's reflection; and the errors a program branches on.
/// </summary>
public sealed class BufCurlTests(SmallServerFixture fixture) : IClassFixture<SmallServerFixture>
{
    private static string Buf => Path.Combine(SharedData.RepoRoot, "protos", "node_modules", "@bufbuild", "buf-linux-x64", "bin", "buf");

    [Theory]
    [InlineData("--schema protos")]
    [InlineData("")] // reflection
    public void BufCurl_GetCbrRateOnTheHolidaySunday_RateInForceWithEffectiveDateAndNominal(string schema)
    {
        if (SkipWithoutBuf())
        {
            return;
        }

        var (exit, output) = Run($"--protocol grpc --http2-prior-knowledge {schema} -d '{{\"currency\":\"USD\",\"date\":\"2025-01-05\"}}' " +
            $"{fixture.Server.GrpcAddress}calc.v1.QuoteService/GetCbrRate");

        Assert.True(exit == 0, output);
        using var rate = JsonDocument.Parse(output);
        Assert.Equal("2025-01-05", rate.RootElement.GetProperty("date").GetString());
        Assert.Equal("2024-12-29", rate.RootElement.GetProperty("effectiveDate").GetString()); // no rate took effect 30.12–9.01
        Assert.Equal(1, rate.RootElement.GetProperty("nominal").GetInt32());
        Assert.Equal("101.6797", rate.RootElement.GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("{\"currency\":\"GBP\",\"date\":\"2025-01-05\"}", "not_found", "UNKNOWN_CURRENCY")]
    [InlineData("{\"currency\":\"USD\",\"date\":\"05.01.2025\"}", "invalid_argument", "INVALID_DATE")]
    public void BufCurl_UnknownCurrencyOrMalformedDate_StatusAndReason(string request, string code, string reason)
    {
        if (SkipWithoutBuf())
        {
            return;
        }

        var (exit, output) = Run($"--protocol grpc --http2-prior-knowledge --schema protos -d '{request}' " +
            $"{fixture.Server.GrpcAddress}calc.v1.QuoteService/GetCbrRate");

        Assert.NotEqual(0, exit);
        using var error = JsonDocument.Parse(output);
        Assert.Equal(code, error.RootElement.GetProperty("code").GetString());
        // buf prints the google.rpc.ErrorInfo detail as base64 (unpadded) of its protobuf bytes
        var detail = error.RootElement.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("type").GetString() == "google.rpc.ErrorInfo");
        string base64 = detail.GetProperty("value").GetString()!.Replace('-', '+').Replace('_', '/');
        var info = Google.Rpc.ErrorInfo.Parser.ParseFrom(Convert.FromBase64String(base64.PadRight((base64.Length + 3) / 4 * 4, '=')));
        Assert.Equal(reason, info.Reason);
    }

    /// <summary>buf comes from <c>npm ci --prefix protos</c> (test.sh and .ci/run do it); missing locally → skip, under CI → fail.</summary>
    private static bool SkipWithoutBuf()
    {
        if (File.Exists(Buf))
        {
            return false;
        }

        Assert.False(ExternalTools.IsCi, $"{Buf} is missing: run npm ci --prefix protos");
        return true;
    }

    private static (int Exit, string Output) Run(string arguments)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"'{Buf}' curl {arguments} 2>&1"])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = SharedData.RepoRoot,
        };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("buf curl did not finish in 120 s: " + output);
        }

        return (process.ExitCode, output);
    }
}
