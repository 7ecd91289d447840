using System.Net.Http;
using Calc.Client;
using Calc.Reliability.Tests.Infrastructure;
using Calc.Server.Tests.Infrastructure;
using Calc.V1;

namespace Calc.Reliability.Tests;

/// <summary>
/// Per-caller rate and concurrency limits (RESOURCE_EXHAUSTED with a reason and RetryInfo), API keys from a file,
/// secrets kept out of logs, and TLS with client certificates naming the caller — each against a real server process.
/// </summary>
public sealed class SecurityTests
{
    private const string WriterKey = "w-3f9c1d7e5a2b4c6d8e0f";
    private const string ReaderKey = "r-9a8b7c6d5e4f3a2b1c0d";

    private static readonly GetCbrRateRequest UsdRate = new() { Currency = "USD", Date = "2025-01-05" };

    [Fact]
    public async Task RateLimit_BurstExceeded_IsResourceExhaustedWithRetryInfoThenRecovers()
    {
        // 1 call per second after a burst of 5: 20 calls at once cannot all pass unless sending them took 15 s
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Limits__RequestsPerSecond"] = "1",
            ["Limits__Burst"] = "5",
        });
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);

        var sending = System.Diagnostics.Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Try(() => client.GetCbrRateAsync(UsdRate))));
        double refillable = Math.Floor(sending.Elapsed.TotalSeconds * 1);
        var refused = outcomes.OfType<CalcRpcException>().ToArray();

        // the burst, plus at most what refilled while the calls were sent (more on a slow machine, none in the model case)
        Assert.InRange(outcomes.Count(o => o is null), 5, 5 + refillable + 1);
        Assert.NotEmpty(refused);
        Assert.All(refused, e =>
        {
            Assert.Equal("RESOURCE_EXHAUSTED", e.StatusName());
            Assert.Equal(RateLimitReason, RpcAssert.ReasonOf(e));
            Assert.InRange(RetryDelay(e)!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        });
        // waiting the advertised delay is enough (it only counts from the refusal, so it is early enough for any)
        await Task.Delay(RetryDelay(refused[0])!.Value + TimeSpan.FromMilliseconds(50));
        Assert.Equal("101.6797", (await client.GetCbrRateAsync(UsdRate)).Value);
    }

    [Fact]
    public async Task RateLimit_IsPerApiKey_OtherCallerUnaffected_HealthNeverLimited()
    {
        string keys = ApiKeysFile.Write($"# month-end loaders\nerp={WriterKey}\n\nbank={ReaderKey}=read\n");
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeysFile"] = keys,
            ["Limits__RequestsPerSecond"] = "0.01", // one token per 100 s: none refills between the calls, however slow
            ["Limits__Burst"] = "2",
        });
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);

        await client.GetCbrRateAsync(UsdRate, Key(WriterKey));
        await client.GetCbrRateAsync(UsdRate, Key(WriterKey));
        var third = await Assert.ThrowsAsync<CalcRpcException>(() => client.GetCbrRateAsync(UsdRate, Key(WriterKey)));
        var otherCaller = await client.GetCbrRateAsync(UsdRate, Key(ReaderKey));
        var health = await Wire.GrpcAsync(Http2, server.GrpcAddress, "grpc.health.v1.Health/Check", Wire.Frame([]));

        Assert.Equal(RateLimitReason, RpcAssert.ReasonOf(third));
        Assert.Contains("key:erp", third.Detail, StringComparison.Ordinal);
        Assert.Equal("101.6797", otherCaller.Value);
        Assert.Equal("OK", health.Status);
        File.Delete(keys);
    }

    [Fact]
    public async Task ConcurrencyLimit_ThirdStreamRefused_SlotsFreedWhenStreamsEnd()
    {
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string> { ["Limits__MaxConcurrentCallsPerCaller"] = "2" });
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);
        var gates = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var started = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var streams = new Task<IncomeStreamSummary>[2];
        for (int i = 0; i < 2; i++)
        {
            // each stream is in flight once it has answered its first chunk; only then is the third call made
            streams[i] = Drain(client.StreamRecognizeIncomeAsync(HeldOpen(gates[i].Task)), started[i]);
            await started[i].Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var refused = await Assert.ThrowsAsync<CalcRpcException>(() => client.GetCbrRateAsync(UsdRate));
        foreach (var gate in gates)
        {
            gate.SetResult();
        }

        var summaries = await Task.WhenAll(streams);

        Assert.Equal("RESOURCE_EXHAUSTED", refused.StatusName());
        Assert.Equal("TOO_MANY_CONCURRENT_CALLS", RpcAssert.ReasonOf(refused));
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryDelay(refused));
        Assert.All(summaries, s => Assert.Equal(2, s.ReceiptCount));
        // the two slots are free again: 2 calls at once succeed, many times over. A slot is released just after the
        // status went out, so a call made the moment the previous one returned may still find it taken: it may retry
        // after the advertised delay; a slot that is never released fails every retry
        for (int i = 0; i < 10; i++)
        {
            await Task.WhenAll(CallOnceSlotFreeAsync(client), CallOnceSlotFreeAsync(client));
        }
    }

    [Fact]
    public async Task ApiKeysFile_WriteNeedsWriterKey_ReasonsAreStable_KeysNeverLogged()
    {
        string keys = ApiKeysFile.Write($"erp={WriterKey}\nbank={ReaderKey}=read\n");
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeysFile"] = keys,
            ["Logging__LogLevel__Default"] = "Debug",
        });
        using var channel = new GrpcChannel(server.GrpcAddress);
        var client = new CalcClient(channel);
        var import = new ImportCbrRatesRequest { Rates = { new CbrRateRow { Currency = "USD", EffectiveDate = "2025-03-20", Nominal = 1, Value = "82.8487" } } };

        var missing = await Assert.ThrowsAsync<CalcRpcException>(() => client.ImportCbrRatesAsync(import));
        var wrong = await Assert.ThrowsAsync<CalcRpcException>(() => client.ImportCbrRatesAsync(import, Key(WriterKey + "x")));
        var readOnly = await Assert.ThrowsAsync<CalcRpcException>(() => client.ImportCbrRatesAsync(import, Key(ReaderKey)));
        var written = await client.ImportCbrRatesAsync(import, new CallOptions { Headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + WriterKey } });
        var wrongOnRead = await Assert.ThrowsAsync<CalcRpcException>(() => client.GetCbrRateAsync(UsdRate, Key("guess")));

        Assert.Equal(("UNAUTHENTICATED", "API_KEY_MISSING"), (missing.StatusName(), RpcAssert.ReasonOf(missing)));
        Assert.Equal(("UNAUTHENTICATED", "API_KEY_INVALID"), (wrong.StatusName(), RpcAssert.ReasonOf(wrong)));
        Assert.Equal(("PERMISSION_DENIED", "API_KEY_READ_ONLY"), (readOnly.StatusName(), RpcAssert.ReasonOf(readOnly)));
        Assert.Equal("API_KEY_INVALID", RpcAssert.ReasonOf(wrongOnRead));
        Assert.Equal(1, written.Added);
        // the last call's completion event is logged after its status went out; once it is in the output, every
        // line about the earlier calls is too (one logger queue, one pipe, in order)
        string output = await server.WaitForOutputAsync(o => CompletionLines(o, "GetCbrRate", "UNAUTHENTICATED") > 0, TimeSpan.FromSeconds(30));
        Assert.True(CompletionLines(output, "GetCbrRate", "UNAUTHENTICATED") > 0, output);
        Assert.DoesNotContain(WriterKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain(ReaderKey, output, StringComparison.Ordinal);
        Assert.DoesNotContain("guess", output, StringComparison.Ordinal);
        File.Delete(keys);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateRequired_SubjectIsTheCallerForLimits()
    {
        using var pki = new Certificates();
        await using var server = await CalcProcess.StartAsync(new Dictionary<string, string>
        {
            ["Tls__CertificatePath"] = pki.ServerPfxPath,
            ["Tls__CertificatePassword"] = Certificates.ServerPfxPassword,
            ["Tls__ClientCertificateMode"] = "Require",
            ["Tls__ClientCaPath"] = pki.CaPemPath,
            ["Limits__RequestsPerSecond"] = "0.01", // one token per 100 s: none refills between the calls, however slow
            ["Limits__Burst"] = "2",
        }, tls: true);
        using var erpCert = pki.Client("CN=erp-loader,O=Bank");
        using var bankCert = pki.Client("CN=collateral-desk,O=Bank");
        using var rogueCert = Certificates.SelfSignedClient("CN=erp-loader,O=Bank");
        using var erp = new GrpcChannel(server.GrpcAddress, pki.Handler(erpCert));
        using var bank = new GrpcChannel(server.GrpcAddress, pki.Handler(bankCert));
        using var anonymous = new GrpcChannel(server.GrpcAddress, pki.Handler(null));
        using var rogue = new GrpcChannel(server.GrpcAddress, pki.Handler(rogueCert));

        var first = await new CalcClient(erp).GetCbrRateAsync(UsdRate);
        await new CalcClient(erp).GetCbrRateAsync(UsdRate);
        var limited = await Assert.ThrowsAsync<CalcRpcException>(() => new CalcClient(erp).GetCbrRateAsync(UsdRate));
        var otherCertificate = await new CalcClient(bank).GetCbrRateAsync(UsdRate);
        var noCertificate = await Record.ExceptionAsync(() => new CalcClient(anonymous).GetCbrRateAsync(UsdRate));
        var untrusted = await Record.ExceptionAsync(() => new CalcClient(rogue).GetCbrRateAsync(UsdRate));

        Assert.Equal("101.6797", first.Value);
        Assert.Equal(RateLimitReason, RpcAssert.ReasonOf(limited));
        Assert.Contains("cert:CN=erp-loader, O=Bank", limited.Detail, StringComparison.Ordinal);
        Assert.Equal("101.6797", otherCertificate.Value);
        Assert.IsType<HttpRequestException>(noCertificate);
        Assert.IsType<HttpRequestException>(untrusted);
    }

    private const string RateLimitReason = "RATE_LIMITED";

    /// <summary>Log lines of the call-completed event (EventId 2102) for this method and status.</summary>
    private static int CompletionLines(string output, string method, string status) =>
        output.Split('\n').Count(l => l.Contains("\"EventId\":2102", StringComparison.Ordinal)
            && l.Contains(method, StringComparison.Ordinal) && l.Contains(status, StringComparison.Ordinal));

    private static readonly HttpClient Http2 = Wire.NewH2Client();

    private static CallOptions Key(string key) => new() { Headers = new Dictionary<string, string> { ["x-api-key"] = key } };

    private static async Task CallOnceSlotFreeAsync(CalcClient client)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Assert.Equal("101.6797", (await client.GetCbrRateAsync(UsdRate)).Value);
                return;
            }
            catch (CalcRpcException e) when (attempt < 20 && RpcAssert.ReasonOf(e) == "TOO_MANY_CONCURRENT_CALLS")
            {
                await Task.Delay(RetryDelay(e)!.Value);
            }
        }
    }

    private static async Task<Exception?> Try(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (CalcRpcException e)
        {
            return e;
        }
    }

    private static TimeSpan? RetryDelay(CalcRpcException e)
    {
        var status = Google.Rpc.Status.Parser.ParseFrom(e.StatusDetailsBin);
        foreach (var any in status.Details)
        {
            if (any.TryUnpack<Google.Rpc.RetryInfo>(out var retry))
            {
                return retry.RetryDelay.ToTimeSpan();
            }
        }

        return null;
    }

    private static async IAsyncEnumerable<RecognizeIncomeStreamRequest> HeldOpen(Task release)
    {
        yield return new RecognizeIncomeStreamRequest { Policy = new ValuationPolicy() };
        yield return Receipt("r1");
        await release;
        yield return Receipt("r2");
    }

    private static RecognizeIncomeStreamRequest Receipt(string id) => new()
    {
        Receipts = new ReceiptChunk
        {
            Receipts = { new MiningReceipt { Id = id, Asset = "BTC", Amount = "0.05", ReceivedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2025, 3, 15, 21, 30, 0, DateTimeKind.Utc)) } },
        },
    };

    private static async Task<IncomeStreamSummary> Drain(IAsyncEnumerable<RecognizeIncomeStreamResponse> responses, TaskCompletionSource started)
    {
        IncomeStreamSummary? summary = null;
        await foreach (var r in responses)
        {
            if (r.Results is not null)
            {
                started.TrySetResult();
            }

            summary = r.Summary ?? summary;
        }

        return summary ?? throw new InvalidOperationException("the stream ended without a summary");
    }
}
