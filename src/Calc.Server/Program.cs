using Calc.Server.Hosting;

// Calc's composition root: each project contributes one Add…/Map… extension.
var builder = WebApplication.CreateBuilder(args);

builder.ConfigureCalcKestrel();          // --urls: gRPC over HTTP/2 (h2c); Http1Urls: Connect JSON / HTTP/1.1
builder.AddCalcLogging();                // structured JSON console logs
builder.Services.AddCalcApplication(builder.Configuration);   // rules, use cases, market data store and tiers
builder.Services.AddCalcAdapters(builder.Configuration);      // Redis cache (optional), CBR and venue clients
builder.Services.AddCalcTransport(builder.Configuration);     // Calc's own gRPC + Connect transport
builder.Services.AddCalcHealthChecks();

var app = builder.Build();

app.ImportMarketData();                  // MarketData__ImportPath: fails startup on a bad row unless told to skip
app.MapCalcServices();                   // calc.v1 services, grpc.health.v1, reflection
app.MapCalcHealthEndpoints();            // /alive and /health

app.Run();

/// <summary>Entry point type, visible to the end-to-end tests.</summary>
public partial class Program;
