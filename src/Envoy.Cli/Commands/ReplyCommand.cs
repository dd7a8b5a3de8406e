using System.CommandLine;
using System.Text.Json.Nodes;
using Envoy.Cli.Api;
using Envoy.Cli.Input;

namespace Envoy.Cli.Commands;

/// <summary>
/// <c>envoy reply ESCALATION --approve|--reject [--set key=value ...]</c>: answers an escalation
/// (<c>POST /api/escalations/{id}/reply</c>). Inputs of kind <c>approve</c> not given with <c>--set</c> are set to true with
/// <c>--approve</c> and false with <c>--reject</c>; a <c>--set</c> value is JSON when it parses, else text.
/// </summary>
internal static class ReplyCommand
{
    private static readonly Argument<string> Id = new("ESCALATION") { Description = "The escalation's id" };

    private static readonly Option<bool> Approve = new("--approve") { Description = "Approve" };

    private static readonly Option<bool> Reject = new("--reject") { Description = "Reject" };

    private static readonly Option<string[]> Set = new("--set")
    {
        Description = "An input's value, as key=value (repeatable); the value is JSON when it parses, else text",
        HelpName = "KEY=VALUE",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("reply", "Answer an escalation: approve or reject, with input values") { Id, Approve, Reject, Set };
        command.Validators.Add(result =>
        {
            var approve = result.GetValue(Approve);
            var reject = result.GetValue(Reject);
            if (approve == reject)
            {
                result.AddError("Give exactly one of --approve and --reject.");
            }

            foreach (var pair in result.GetValue(Set) ?? [])
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--set '{pair}' is not key=value.");
                }
            }
        });
        CommandRunner.SetHandler(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var id = context.Get(Id);
        var approve = context.Get(Approve);
        var path = $"escalations/{EnvoyApiClient.Segment(id)}";
        var escalation = (await context.Client.GetAsync(path, cancellationToken).ConfigureAwait(false)).Read(CliJsonContext.Default.EscalationView);
        var values = new JsonObject();
        foreach (var pair in context.Get(Set) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            values[pair[..equals]] = JsonInput.ParseLoose(pair[(equals + 1)..]);
        }

        foreach (var input in escalation.Inputs ?? [])
        {
            if (input.Kind == "approve" && !values.ContainsKey(input.Id))
            {
                values[input.Id] = approve;
            }
        }

        var response = await context.Client.PostAsync(
            path + "/reply",
            new ReplyRequest(approve ? "approved" : "rejected", values),
            CliJsonContext.Default.ReplyRequest,
            cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(response.Body);
            return ExitCodes.Ok;
        }

        var answered = response.Read(CliJsonContext.Default.EscalationView);
        context.Output.Line($"Escalation {answered.Id} {answered.Status} by {answered.RepliedBy} (job {answered.JobId}).");
        return ExitCodes.Ok;
    }
}
