using Spectre.Console;

namespace Calc.Cli;

/// <summary>The CLI's standard output and error, as plain writers and as Spectre consoles.</summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool errorIsTerminal, bool outputIsTerminal)
    {
        Out = output;
        Error = error;
        ErrorIsTerminal = errorIsTerminal;
        AnsiOut = Create(output, outputIsTerminal);
        AnsiError = Create(error, errorIsTerminal);
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>True when stderr is a terminal: live progress bar; otherwise plain progress lines.</summary>
    public bool ErrorIsTerminal { get; }

    public IAnsiConsole AnsiOut { get; }

    public IAnsiConsole AnsiError { get; }

    public static CliConsole System() =>
        new(Console.Out, Console.Error, !Console.IsErrorRedirected, !Console.IsOutputRedirected);

    private static IAnsiConsole Create(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 240; // a file or pipe: never wrap table cells
        }

        return console;
    }
}
