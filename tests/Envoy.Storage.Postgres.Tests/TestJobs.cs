using Envoy.Runtime.Storage;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>Jobs and step commits for the tests that drive the store directly.</summary>
internal static class TestJobs
{
    public const long T0 = 1_700_000_000_000;

    /// <summary>A new pending job of <paramref name="flow"/>, due at <see cref="T0"/>.</summary>
    public static NewJob JobOf(string flow)
    {
        var id = Guid.NewGuid().ToString();
        return new NewJob(id, flow, new StateContext("A") { JobId = id }.Serialize(), 0, T0, T0, null, null, null);
    }

    /// <summary>A step of a job of <paramref name="owner"/> that keeps it running, asking for a lease up to <paramref name="now"/> + <paramref name="lease"/>.</summary>
    public static StepCommit RunningStepOf(string id, string owner, long version, long now, long lease) => new()
    {
        JobId = id,
        Owner = owner,
        ExpectedVersion = version,
        Status = JobStatus.Running,
        ContextJson = new StateContext("A", now) { JobId = id }.Serialize(),
        NowMs = now,
        LeaseUntilMs = now + lease,
        Events = [new JobEvent(id, DateTimeOffset.FromUnixTimeMilliseconds(now), JobEventKind.StepCompleted, "A", 1, JobStatus.Running, JobStatus.Running)],
    };
}
