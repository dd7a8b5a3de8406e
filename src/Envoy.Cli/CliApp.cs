using System.CommandLine;
using Envoy.Cli.Commands;

namespace Envoy.Cli;

/// <summary>The <c>envoy</c> command tree, and how one command line is run (parse errors: exit code 2).</summary>
internal static class CliApp
{
    /// <summary>Builds the root command with every subcommand and the global options.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("envoy: the command line of Envoy, the durable workflow engine (talks to its HTTP API)");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(FlowsCommand.Create());
        root.Subcommands.Add(FlowCommand.Create());
        root.Subcommands.Add(ScheduleCommand.Create());
        root.Subcommands.Add(JobsCommand.Create());
        root.Subcommands.Add(JobCommand.Create());
        root.Subcommands.Add(CancelCommand.Create());
        root.Subcommands.Add(FailCommand.Create());
        root.Subcommands.Add(RetryCommand.Create());
        root.Subcommands.Add(ResolveCommand.Create());
        root.Subcommands.Add(EscalationsCommand.Create());
        root.Subcommands.Add(ReplyCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(RecurringCommand.Create());
        root.Subcommands.Add(WorkersCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction or null)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'envoy --help' (or 'envoy COMMAND --help') for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        var code = await parse.InvokeAsync(configuration).ConfigureAwait(false);
        return parse.Action is null ? ExitCodes.Usage : code;
    }
}
