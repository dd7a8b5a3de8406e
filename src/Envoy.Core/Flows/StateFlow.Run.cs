using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class StateFlow
{
    /// <summary>
    /// Runs the flow in this process until it is done. Spawned children run in-process when their flows are in
    /// <see cref="StateFlowOptions.Flows"/> or found by <see cref="StateFlowOptions.FlowResolver"/>; escalations and external waits need the scheduler.
    /// </summary>
    /// <returns>The final context: <see cref="StateContext.Done"/> says how it ended (finished, error, max steps).</returns>
    /// <exception cref="StateFlowException">A handler failed, or a wait cannot be resolved in-process.</exception>
    /// <exception cref="StateFlowValidationException">The flow has no states.</exception>
    public async Task<StateContext> RunAsync(object? input = null, CancellationToken cancellationToken = default)
    {
        // Awaited (not returned) so that an empty flow or an input that is not JSON faults the task instead of throwing at the call.
        var context = NewContext(input);
        return await ResumeAsync(context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Continues a run from a context (for example one restored with <see cref="StateContext.Deserialize(string)"/>) until it is done.</summary>
    public async Task<StateContext> ResumeAsync(StateContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ctx = context;
        while (ctx.Done is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (ctx.IsWaiting)
            {
                ctx = await ResolveInProcessAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            ctx = await StepAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        return ctx;
    }

    private async Task<StateContext> ResolveInProcessAsync(StateContext blocked, CancellationToken cancellationToken)
    {
        var pending = blocked.Waits.Where(w => w.IsPending).ToList();
        var children = new List<(Wait Wait, StateFlow Flow, JsonNode? Input)>();
        foreach (var wait in pending)
        {
            if (wait.Type != WaitTypes.Spawn)
            {
                var what = wait.Type == WaitTypes.Escalation
                    ? $"an escalation to '{wait.Params?["user"]}' (wait '{wait.Id}'); escalations are answered through the scheduler"
                    : $"an external event of type '{wait.Type}' (wait '{wait.Id}'); external waits are resolved through the scheduler";
                throw new StateFlowException(blocked.State, blocked.Step, $"State '{blocked.State}' waits for {what}, which an in-process run cannot resolve.", null);
            }

            var flowName = wait.Params?["flow"]?.GetValue<string>() ?? string.Empty;
            var child = ResolveFlow(flowName) ?? throw new StateFlowException(
                blocked.State,
                blocked.Step,
                $"State '{blocked.State}' spawns flow '{flowName}', which is not registered in StateFlowOptions.Flows (or found by FlowResolver); register it or run the flow with the scheduler.",
                null);
            children.Add((wait, child, wait.Params?["input"]?.DeepClone()));
        }

        var results = await Task.WhenAll(children.Select(c => RunChildAsync(c.Flow, c.Input, cancellationToken))).ConfigureAwait(false);
        var resumed = blocked.Clone();
        for (var i = 0; i < children.Count; i++)
        {
            var (wait, result) = (children[i].Wait, results[i]);
            switch (result.Done)
            {
                case DoneReason.Finished:
                    resumed.Resolve(wait.Id, result.Output());
                    break;
                case DoneReason.Cancelled:
                    resumed.Cancel(wait.Id);
                    break;
                default:
                    resumed.Reject(wait.Id, result.Error ?? $"The child ended with {result.Done}.");
                    break;
            }
        }

        return resumed;
    }

    private static async Task<StateContext> RunChildAsync(StateFlow child, object? input, CancellationToken cancellationToken)
    {
        try
        {
            return await child.RunAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EnvoyException)
        {
            // A failing child resolves its parent's wait with the error; it never leaves the parent stuck.
            var failed = child.StartState is null ? new StateContext("(empty)") : child.NewContext(input);
            return failed.Fail(ex.Message);
        }
    }

    private StateFlow? ResolveFlow(string name)
    {
        if (Flows is not null && Flows.TryGetValue(name, out var flow))
        {
            return flow;
        }

        return FlowResolver?.Invoke(name);
    }
}
