namespace Envoy.Runtime.Execution.Events;

/// <summary>What happened to the progress reports of one scheduler's steps (for tests and diagnostics).</summary>
internal sealed class ProgressCounters
{
    private long _reported;
    private long _published;
    private long _unheard;
    private long _refused;

    /// <summary>Reports made by steps.</summary>
    public long Reported => Interlocked.Read(ref _reported);

    /// <summary>Progress events published (to this scheduler's subscribers and the store-wide feed).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Reports ignored because nobody listened (nothing was built for them).</summary>
    public long Unheard => Interlocked.Read(ref _unheard);

    /// <summary>Reports refused: the value could not be serialized or was larger than <see cref="JobProgressLimits.MaxJsonLength"/>.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Reports coalesced away (a newer one replaced them before they were sent).</summary>
    public long Coalesced => Reported - Published - Unheard - Refused;

    public void AddReported() => Interlocked.Increment(ref _reported);

    public void AddPublished() => Interlocked.Increment(ref _published);

    public void AddUnheard() => Interlocked.Increment(ref _unheard);

    public void AddRefused() => Interlocked.Increment(ref _refused);
}
