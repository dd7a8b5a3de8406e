using System.CommandLine;
using Envoy.Cli.Output;

namespace Envoy.Cli.Commands;

/// <summary>
/// Runs a command's handler: builds its <see cref="CommandContext"/>, and turns every error into a message on standard error
/// (the problem's <c>detail</c> for API errors, never a stack trace) and the exit code the spec gives it.
/// </summary>
internal static class CommandRunner
{
    /// <summary>The exit code of a run interrupted by Ctrl+C (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    /// <summary>Makes <paramref name="handler"/> the action of <paramref name="command"/>.</summary>
    public static void SetHandler(Command command, Func<CommandContext, CancellationToken, Task<int>> handler)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, handler, cancellationToken));
    }

    private static async Task<int> RunAsync(ParseResult parse, Func<CommandContext, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        var output = new OutputWriter(parse.GetValue(GlobalOptions.Json));
        using var context = new CommandContext(parse, output, Console.In);
        try
        {
            return await handler(context, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            output.ErrorLine(ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.ErrorLine("Interrupted.");
            return Interrupted;
        }
#pragma warning disable CA1031 // The last resort: a message and an exit code, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            output.ErrorLine($"{ex.GetType().Name}: {ex.Message}");
            return ExitCodes.ServerError;
        }
    }
}
