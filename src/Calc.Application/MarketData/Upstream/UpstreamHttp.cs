using System.Globalization;
using System.Net;
using Calc.Application.Ports;
using Calc.Domain.Errors;
using Microsoft.Extensions.Logging;

namespace Calc.Application.MarketData.Upstream;

/// <summary>
/// GET with the manners every upstream client needs: a timeout per attempt, bounded retries of 429 / 418 /
/// 5xx / timeouts / connection failures with exponential backoff and jitter, Retry-After honoured up to
/// <see cref="UpstreamOptions.MaxRetryDelay"/> (a longer one fails at once, carrying the wait). Every
/// failure surfaces as an <see cref="UpstreamException"/> with a stable reason.
/// </summary>
public sealed partial class UpstreamHttp(HttpClient http, string source, UpstreamOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>Largest response body accepted (a year of daily candles is far below it).</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    public string Source => source;

    /// <summary>Attempts allowed per request (at least one).</summary>
    public int MaxAttempts => Math.Max(1, options.MaxAttempts);

    /// <summary>
    /// Settings every upstream HttpClient gets: the base address (with a trailing slash, so relative request
    /// paths append to it), no client-wide timeout (each attempt has its own), a body size cap and a
    /// User-Agent (some venues reject requests without one).
    /// </summary>
    public static void Configure(HttpClient client, Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(baseUrl);
        string text = baseUrl.AbsoluteUri;
        client.BaseAddress = new Uri(text.EndsWith('/') ? text : text + "/");
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.MaxResponseContentBufferSize = MaxBodyBytes;
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Calc/1.0");
    }

    /// <summary>The body of a successful (2xx) response to GET <paramref name="relativeUri"/>.</summary>
    public async Task<byte[]> GetBytesAsync(string relativeUri, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (failure, retryable, retryAfter, body) = await TryOnceAsync(relativeUri, cancellationToken);
            if (failure is null)
            {
                return body!;
            }

            TimeSpan delay = retryAfter ?? Backoff(attempt);
            if (!retryable || attempt >= Math.Max(1, options.MaxAttempts) || delay > options.MaxRetryDelay)
            {
                LogGaveUp(logger, source, relativeUri, attempt, failure.Message);
                throw failure;
            }

            LogRetry(logger, source, relativeUri, attempt, delay.TotalMilliseconds, failure.Message);
            await Task.Delay(delay, time, cancellationToken);
        }
    }

    private async Task<(UpstreamException? Failure, bool Retryable, TimeSpan? RetryAfter, byte[]? Body)> TryOnceAsync(
        string relativeUri, CancellationToken cancellationToken)
    {
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCts.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.GetAsync(new Uri(relativeUri, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, attemptCts.Token);
            int status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                if (response.Content.Headers.ContentLength > MaxBodyBytes)
                {
                    return (Fail(Reasons.UpstreamInvalidResponse, $"response of {response.Content.Headers.ContentLength} bytes exceeds {MaxBodyBytes}"), false, null, null);
                }

                byte[] body = await response.Content.ReadAsByteArrayAsync(attemptCts.Token);
                return (null, false, null, body);
            }

            string snippet = await Snippet(response, attemptCts.Token);
            TimeSpan? retryAfter = RetryAfter(response);
            bool retryable = status is 429 or 418 or 408 || status >= 500;
            var failure = Fail(status is 429 or 418 or 408 || status >= 500 ? Reasons.UpstreamUnavailable : Reasons.UpstreamInvalidResponse,
                $"HTTP {status} {response.ReasonPhrase}{snippet}", retryAfter);
            return (failure, retryable, retryAfter, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Fail(Reasons.UpstreamUnavailable, $"no answer within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"), true, null, null);
        }
        catch (HttpRequestException e)
        {
            return (Fail(Reasons.UpstreamUnavailable, "connection failed: " + e.Message), true, null, null);
        }
    }

    private UpstreamException Fail(string reason, string message, TimeSpan? retryAfter = null) =>
        new(source, reason, $"{source}: {message}") { RetryAfter = retryAfter };

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: base delay doubled per attempt, ±20 % jitter.</summary>
    public TimeSpan Backoff(int attempt)
    {
        double baseMs = options.BaseRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
#pragma warning disable CA5394 // jitter only spreads retries; it needs no cryptographic randomness
        double jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(baseMs * jitter);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<string> Snippet(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            string text = await response.Content.ReadAsStringAsync(cancellationToken);
            text = text.Length > 200 ? text[..200] : text;
            return text.Length == 0 ? "" : ": " + text.ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Text.DecoderFallbackException or InvalidOperationException)
        {
            return "";
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "{Source} GET {Uri} attempt {Attempt} failed, retrying in {DelayMs} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string source, string uri, int attempt, double delayMs, string error);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "{Source} GET {Uri} failed after {Attempts} attempt(s): {Error}")]
    private static partial void LogGaveUp(ILogger logger, string source, string uri, int attempts, string error);
}
