using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// The enums the stores write as integers (job status, history entry kind, escalation status, wait resolution) and the
/// event wire sends as integers: stored rows and messages from other versions depend on every number, so each member keeps
/// its number, a new member takes a new one, and none is reordered or removed.
/// </summary>
public sealed class StoredEnumValuesTests
{
    [Fact]
    public void JobStatus_KeepsItsStoredNumbers() => AssertNumbers(
        (JobStatus.Pending, 0),
        (JobStatus.Running, 1),
        (JobStatus.Blocking, 2),
        (JobStatus.Done, 3),
        (JobStatus.Failed, 4),
        (JobStatus.Cancelled, 5));

    [Fact]
    public void JobEventKind_KeepsItsStoredNumbers() => AssertNumbers(
        (JobEventKind.Scheduled, 0),
        (JobEventKind.Claimed, 1),
        (JobEventKind.StepCompleted, 2),
        (JobEventKind.StepFailed, 3),
        (JobEventKind.WaitResolved, 4),
        (JobEventKind.EscalationAnswered, 5),
        (JobEventKind.Cancelled, 6),
        (JobEventKind.Failed, 7),
        (JobEventKind.Retried, 8),
        (JobEventKind.Released, 9),
        (JobEventKind.LeaseExpired, 10));

    [Fact]
    public void EscalationStatus_KeepsItsStoredNumbers() => AssertNumbers(
        (EscalationStatus.Pending, 0),
        (EscalationStatus.Approved, 1),
        (EscalationStatus.Rejected, 2),
        (EscalationStatus.Cancelled, 3),
        (EscalationStatus.Expired, 4));

    [Fact]
    public void WaitResolutionKind_KeepsItsStoredNumbers() => AssertNumbers(
        (WaitResolutionKind.Pending, 0),
        (WaitResolutionKind.Success, 1),
        (WaitResolutionKind.Error, 2),
        (WaitResolutionKind.Cancelled, 3));

    /// <summary>Every member of <typeparamref name="T"/>, with its number, exactly as listed: none missing, none added.</summary>
    private static void AssertNumbers<T>(params (T Member, int Number)[] expected)
        where T : struct, Enum
    {
        var actual = Enum.GetValues<T>().Select(member => (Member: member.ToString(), Number: Convert.ToInt32(member, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected.Select(e => (Member: e.Member.ToString(), e.Number)), actual);
    }
}
