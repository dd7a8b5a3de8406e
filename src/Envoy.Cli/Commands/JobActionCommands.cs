using System.CommandLine;
using Envoy.Cli.Api;

namespace Envoy.Cli.Commands;

/// <summary>What the job actions (<c>cancel</c>, <c>fail</c>, <c>retry</c>) share: print the job the API returns.</summary>
internal static class JobActionCommands
{
    /// <summary>Prints the job of <paramref name="response"/> (its JSON with <c>--json</c>) after <paramref name="verb"/>.</summary>
    public static int Print(CommandContext context, ApiResponse response, string verb)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(response);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var job = response.Read(CliJsonContext.Default.JobView);
        context.Output.Line($"{verb} job {job.Id} ({job.Flow}): now {job.Status}.");
        return ExitCodes.Ok;
    }

    /// <summary>The job id argument.</summary>
    public static Argument<string> IdArgument() => new("ID") { Description = "The job's id" };
}
