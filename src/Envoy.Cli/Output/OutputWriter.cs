using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Envoy.Cli.Output;

/// <summary>
/// Where a command writes: tables and text to standard output through Spectre.Console, raw JSON to standard output as is,
/// spinners and errors to standard error. Colour and ANSI escapes are off when the stream is redirected or <c>NO_COLOR</c>
/// is set; spinners and the live view run only on a terminal.
/// </summary>
internal sealed class OutputWriter
{
    private const int RedirectedWidth = 200;

    private readonly TextWriter _out;
    private readonly TextWriter _error;

    /// <summary>Creates the writer over the process's standard output and error.</summary>
    public OutputWriter(bool json)
        : this(json, Console.Out, Console.Error, Console.IsOutputRedirected, Console.IsErrorRedirected)
    {
    }

    private OutputWriter(bool json, TextWriter output, TextWriter error, bool outputRedirected, bool errorRedirected)
    {
        Json = json;
        _out = output;
        _error = error;
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        Out = CreateConsole(output, outputRedirected, noColor);
        Error = CreateConsole(error, errorRedirected, noColor);
        IsInteractive = !outputRedirected;
        IsErrorInteractive = !errorRedirected;
    }

    /// <summary>Whether the command prints JSON (<c>--json</c>) instead of tables.</summary>
    public bool Json { get; }

    /// <summary>Standard output as a Spectre console (tables, text, the live view).</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard error as a Spectre console (spinners).</summary>
    public IAnsiConsole Error { get; }

    /// <summary>Whether standard output is a terminal (not redirected).</summary>
    public bool IsInteractive { get; }

    /// <summary>Whether standard error is a terminal (spinners show only then).</summary>
    public bool IsErrorInteractive { get; }

    /// <summary>Prints a JSON text unchanged, followed by a new line.</summary>
    public void WriteJson(string json)
    {
        _out.Write(json);
        _out.Write('\n');
        _out.Flush();
    }

    /// <summary>Prints a renderable (a table, a grid) on standard output.</summary>
    public void Write(IRenderable renderable) => Out.Write(renderable);

    /// <summary>Prints one line of plain text (never read as markup) on standard output.</summary>
    public void Line(string text = "") => Out.WriteLine(text);

    /// <summary>Prints one line with Spectre markup on standard output (callers escape what they did not write).</summary>
    public void Markup(string markup) => Out.MarkupLine(markup);

    /// <summary>Prints an error message (plain text) on standard error.</summary>
    public void ErrorLine(string message)
    {
        _error.Write("error: ");
        _error.Write(message);
        _error.Write('\n');
        _error.Flush();
    }

    /// <summary>Prints a note (plain text) on standard error.</summary>
    public void Note(string message)
    {
        _error.Write(message);
        _error.Write('\n');
        _error.Flush();
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a spinner saying <paramref name="status"/> on standard error when it is a terminal,
    /// else just runs it.
    /// </summary>
    public async Task<T> SpinAsync<T>(string status, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!IsErrorInteractive)
        {
            return await work().ConfigureAwait(false);
        }

        return await Error.Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(Spectre.Console.Markup.Escape(status), _ => work())
            .ConfigureAwait(false);
    }

    private static IAnsiConsole CreateConsole(TextWriter writer, bool redirected, bool noColor)
    {
        var plain = redirected || noColor;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
            Out = new AnsiConsoleOutput(writer),
        });
        if (redirected)
        {
            console.Profile.Width = RedirectedWidth;
            console.Profile.Encoding = Encoding.UTF8;
        }

        return console;
    }
}
