using System.Diagnostics.Metrics;

namespace Calc.Application;

/// <summary>
/// The application layer's one meter (<c>Calc.Application</c>): market-data lookups and upstream requests,
/// import write-through. The host exports it with the others (OTLP when configured).
/// </summary>
internal static class ApplicationMeter
{
    public const string Name = "Calc.Application";

    public static readonly Meter Instance = new(Name);
}
