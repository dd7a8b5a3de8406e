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
    /// <remarks>
    /// Runs before every job's run: a job that can run costs a lookup and allocates nothing; the versions are listed only in
    /// the message of a job that cannot.
    /// </remarks>
    public static string? Problem(FlowRegistry flows, JobRecord record, RegisteredFlow? registered, StateContext context)
    {
        if (registered is null)
        {
            var version = record.FlowVersion.Length == 0 ? "(none recorded)" : $"'{record.FlowVersion}'";
            return $"Flow '{record.Flow}' version {version} of this job is not registered with this scheduler (its versions: {KnownVersions(flows, record.Flow)}).";
        }

        if (context.Done is not null || context.State is not { Length: > 0 } state || registered.HasState(state))
        {
            return null;
        }

        return MissingState(flows, record.Flow, registered.Version, state);
    }

    /// <summary>In a method of its own: its lambda's captures would otherwise be allocated on every call of <see cref="Problem"/>.</summary>
    private static string MissingState(FlowRegistry flows, string flow, string runsOn, string state)
    {
        var known = KnownVersions(flows, flow);
        var having = flows.VersionsOf(flow).Where(v => flows.TryGet(flow, v)?.HasState(state) == true).ToList();
        return $"State '{state}' of the job is not a state of flow '{flow}' version '{runsOn}', the version it runs on"
            + $" (versions registered here: {known}; "
            + (having.Count == 0 ? "none of them has it)." : $"it is a state of {string.Join(", ", having.Select(v => $"'{v}'"))} only).");
    }

    private static string KnownVersions(FlowRegistry flows, string flow)
    {
        var versions = flows.VersionsOf(flow);
        return versions.Count == 0 ? "none" : string.Join(", ", versions.Select(v => $"'{v}'"));
    }
}
