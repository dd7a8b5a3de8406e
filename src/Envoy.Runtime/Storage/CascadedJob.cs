namespace Envoy.Runtime.Storage;

/// <summary>A descendant cancelled because its ancestor ended.</summary>
/// <param name="Id">The job.</param>
/// <param name="Flow">Its flow.</param>
public sealed record CascadedJob(string Id, string Flow);
