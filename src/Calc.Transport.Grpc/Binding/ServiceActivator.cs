using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Gets the service instance for a call: from DI when registered (scoped or singleton, as registered),
/// otherwise created per call with constructor injection and disposed after it (like grpc-dotnet).
/// A singleton is resolved once from the root provider, so a call never pays for a DI scope it does not need.
/// </summary>
internal sealed class ServiceActivator<TService>(ServiceLifetime? lifetime, IServiceProvider root) where TService : class
{
    private readonly ObjectFactory? _factory = lifetime is null ? ActivatorUtilities.CreateFactory(typeof(TService), []) : null;
    private TService? _singleton;

    /// <summary>True when instances are created per call (and disposed after it) rather than owned by DI.</summary>
    public bool CreatesPerCall => _factory is not null;

    public TService Create(HttpContext http)
    {
        if (lifetime == ServiceLifetime.Singleton)
        {
            return _singleton ??= root.GetRequiredService<TService>();
        }

        return _factory is null ? http.RequestServices.GetRequiredService<TService>() : (TService)_factory(http.RequestServices, null);
    }

    public ValueTask ReleaseAsync(TService service)
    {
        if (_factory is null)
        {
            return ValueTask.CompletedTask;
        }

        if (service is IAsyncDisposable asyncDisposable)
        {
            return asyncDisposable.DisposeAsync();
        }

        (service as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
