namespace Envoy.Runtime.Storage;

/// <summary>A lease taken on a job as it is inserted: <paramref name="Owner"/> runs it until <paramref name="UntilMs"/> unless renewed.</summary>
public sealed record JobLease(string Owner, long UntilMs);
