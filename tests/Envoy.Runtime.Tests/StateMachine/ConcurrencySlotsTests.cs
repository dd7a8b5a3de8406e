using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

/// <summary>
/// <see cref="ConcurrencySlots"/>: a claim's view of its scopes' slots: each scope counted once, when first met, then kept up
/// to date by the claim's own admissions; a job admitted only while its scope runs fewer jobs than its limit.
/// </summary>
public sealed class ConcurrencySlotsTests
{
    [Fact]
    public void TryAdmit_AdmitsUpToTheLimit_CountingEachScopeOnce()
    {
        var counts = new List<(string, string)>();
        var slots = new ConcurrencySlots((flow, key) =>
        {
            counts.Add((flow, key));
            return key == "busy" ? 1 : 0;
        });

        Assert.True(slots.TryAdmit("f", "busy", 2));
        Assert.False(slots.TryAdmit("f", "busy", 2));
        Assert.True(slots.TryAdmit("f", "idle", 2));
        Assert.True(slots.TryAdmit("f", "idle", 2));
        Assert.False(slots.TryAdmit("f", "idle", 2));
        Assert.True(slots.TryAdmit("g", "idle", 1));

        Assert.Equal([("f", "busy"), ("f", "idle"), ("g", "idle")], counts);
        Assert.Equal(3, slots.ScopesCounted);
    }

    [Fact]
    public void Free_AndAdmitted_KeepTheScopesSlotsInUse()
    {
        var slots = new ConcurrencySlots((_, _) => 1);

        Assert.Equal(3, slots.Free("f", "k", 4));
        slots.Admitted("f", "k", 2);
        Assert.Equal(1, slots.Free("f", "k", 4));
        Assert.True(slots.TryAdmit("f", "k", 4));
        Assert.Equal(0, slots.Free("f", "k", 4));
        Assert.False(slots.TryAdmit("f", "k", 4));
    }

    [Fact]
    public void AScopeRunningMoreThanAJobsLimit_HasNoFreeSlot()
    {
        // Jobs of an older flow version may carry a higher limit: a job with a lower one waits until the scope is below it.
        var slots = new ConcurrencySlots((_, _) => 5);

        Assert.Equal(0, slots.Free("f", "k", 3));
        Assert.False(slots.TryAdmit("f", "k", 3));
    }
}
