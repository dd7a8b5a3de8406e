using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Whether a claimed job can run here: its flow version registered, and its current state a state of that version. Claims ask
/// only for the versions this scheduler has, so a missing version means a store that ignored the filter; a missing state
/// means the version's shape changed under the same version (set by hand), or a context written by hand.
/// </summary>
internal static class FlowVersionCheck
{
    /// <summary>Null when the job can run; otherwise the job's error, naming the state and the versions.</summary>
    public static string? Problem(FlowRegistry flows, JobRecord record, RegisteredFlow? registered, StateContext context)
    {
        var versions = flows.VersionsOf(record.Flow);
        var known = versions.Count == 0 ? "none" : string.Join(", ", versions.Select(v => $"'{v}'"));
        var version = record.FlowVersion.Length == 0 ? "(none recorded)" : $"'{record.FlowVersion}'";
        if (registered is null)
        {
            return $"Flow '{record.Flow}' version {version} of this job is not registered with this scheduler (its versions: {known}).";
        }

        if (context.Done is not null || context.State is not { Length: > 0 } state || registered.HasState(state))
        {
            return null;
        }

        var having = versions.Where(v => flows.TryGet(record.Flow, v)?.HasState(state) == true).ToList();
        return $"State '{state}' of the job is not a state of flow '{record.Flow}' version '{registered.Version}', the version it runs on"
            + $" (versions registered here: {known}; "
            + (having.Count == 0 ? "none of them has it)." : $"it is a state of {string.Join(", ", having.Select(v => $"'{v}'"))} only).");
    }
}
