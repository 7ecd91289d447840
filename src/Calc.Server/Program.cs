using Calc.Server.Hosting;

// The service. The composition (which project adds and maps what) reads in Hosting/CalcHost.cs.
var app = CalcHost.Build(args);
app.Run();

/// <summary>Entry point type, visible to the end-to-end tests.</summary>
public partial class Program;
