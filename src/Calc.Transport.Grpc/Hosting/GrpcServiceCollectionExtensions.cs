using Calc.Transport.Grpc.Errors;
using Calc.Transport.Grpc.Json;
using Calc.Transport.Grpc.Services.Calc;
using Calc.Transport.Grpc.Telemetry;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Calc.Transport.Grpc;

/// <summary>Registers Calc's transport on grpc-dotnet.</summary>
public static class GrpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds Grpc.AspNetCore with Calc's options (section <c>Grpc</c>: message sizes, response compression,
    /// detailed errors), the call pipeline (one interceptor: the telemetry hook, the host's hooks added with
    /// <see cref="AddCallInterceptor{T}"/>, the error mapping), JSON transcoding with the google.rpc detail types registered (error bodies carry readable
    /// reasons), the OpenAPI document of the JSON surface, reflection, and the income codec methods.
    /// The calc.v1 services themselves are singletons.
    /// </summary>
    public static IServiceCollection AddCalcGrpc(this IServiceCollection services, IConfiguration configuration,
        Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<GrpcServerOptions>().Bind(configuration.GetSection(GrpcServerOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddMetrics();
        services.AddCallInterceptor<GrpcTelemetryInterceptor>(); // first: it sees every refusal of the hooks after it
        services.TryAddSingleton<ErrorMapper>();
        services.TryAddSingleton<CallPipeline>();
        services.TryAddSingleton<EmptyResponseCompressionInterceptor>();
        services.AddGrpc().AddJsonTranscoding(o => o.TypeRegistry = JsonErrors.TypeRegistry);
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GrpcServerOptions>>((grpc, calc) =>
        {
            var c = calc.Value;
            grpc.MaxReceiveMessageSize = c.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = c.MaxSendMessageSize;
            grpc.EnableDetailedErrors = false; // INTERNAL answers are written by ErrorMapper (correlation id, no stack trace)
            grpc.ResponseCompressionAlgorithm = c.ResponseCompression;
            grpc.ResponseCompressionLevel = c.ResponseCompressionLevel;
            grpc.Interceptors.Add<CallPipeline>(); // the call hooks and the error mapping, one async frame per call
            if (c.ResponseCompression is not null)
            {
                grpc.Interceptors.Add<EmptyResponseCompressionInterceptor>();
            }
        });
        services.AddGrpcReflection();
        services.AddGrpcSwagger();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new Microsoft.OpenApi.Models.OpenApiInfo
            {
                Title = "Calc JSON API",
                Version = "v1",
                Description = "calc.v1 over HTTP/1.1 JSON (gRPC JSON transcoding). Errors: google.rpc.Status {code, message, details}.",
            });
            var xml = Path.Combine(AppContext.BaseDirectory, "Calc.Contracts.xml");
            if (File.Exists(xml))
            {
                swagger.IncludeXmlComments(xml);
                swagger.IncludeGrpcXmlComments(xml, includeControllerXmlComments: true);
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<IncomeGrpcService>, IncomeCodecMethods>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, GrpcContentMatcherPolicy>());
        services.AddSingleton<QuoteGrpcService>();
        services.AddSingleton<IncomeGrpcService>();
        services.AddSingleton<TaxGrpcService>();
        services.AddSingleton<CollateralGrpcService>();
        return services;
    }

    /// <summary>
    /// Adds a <see cref="CallInterceptor"/> (a singleton) to the hooks <see cref="CallPipeline"/> runs around every
    /// call, after those added before it. Also resolvable as <typeparamref name="T"/> itself.
    /// </summary>
    public static IServiceCollection AddCallInterceptor<T>(this IServiceCollection services)
        where T : CallInterceptor
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(T)))
        {
            return services;
        }

        services.AddSingleton<T>();
        services.AddSingleton<CallInterceptor>(sp => sp.GetRequiredService<T>());
        return services;
    }
}
