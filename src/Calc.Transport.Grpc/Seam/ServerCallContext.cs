namespace Calc.Transport.Grpc;

/// <summary>
/// What a service method sees of its call, as Grpc.Core.ServerCallContext: the method, the deadline, a
/// token cancelled on deadline or client cancellation, and request/response metadata.
/// </summary>
public abstract class ServerCallContext
{
    /// <summary>Full method path, e.g. <c>/calc.v1.QuoteService/GetCbrRate</c>.</summary>
    public abstract string Method { get; }

    public abstract string Peer { get; }

    /// <summary>UTC deadline; <see cref="DateTime.MaxValue"/> when the client set none.</summary>
    public abstract DateTime Deadline { get; }

    public abstract CancellationToken CancellationToken { get; }

    public abstract Metadata RequestHeaders { get; }

    public abstract Metadata ResponseTrailers { get; }

    /// <summary>Caller identity established by authentication (API key name, certificate subject), or null.</summary>
    public virtual string? CallerIdentity => null;

    /// <summary>Sends response headers before the first message (once; later calls are ignored).</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    /// <summary>Options for the following response writes (e.g. <see cref="WriteFlags.NoCompress"/>).</summary>
    public virtual WriteOptions? WriteOptions { get; set; }

    /// <summary>
    /// The encoding used for response messages ("gzip" or null for none). Starts from the server option
    /// <c>ResponseCompression</c> when the client accepts it; a service may change it before the first write.
    /// </summary>
    public virtual string? ResponseCompression { get; set; }

    /// <summary>Access to the underlying HTTP context for transport-level features.</summary>
    public abstract Microsoft.AspNetCore.Http.HttpContext HttpContext { get; }
}
