using Microsoft.Extensions.DependencyInjection;

namespace Calc.Transport.Grpc.Binding;

/// <summary>
/// Gets the service instance for a call: from DI when registered (scoped or singleton, as registered),
/// otherwise created per call with constructor injection and disposed after it (like grpc-dotnet).
/// </summary>
internal sealed class ServiceActivator<TService>(bool registered) where TService : class
{
    private readonly ObjectFactory? _factory = registered ? null : ActivatorUtilities.CreateFactory(typeof(TService), []);

    public TService Create(IServiceProvider services) =>
        _factory is null ? services.GetRequiredService<TService>() : (TService)_factory(services, null);

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
