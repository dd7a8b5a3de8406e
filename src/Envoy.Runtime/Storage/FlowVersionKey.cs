namespace Envoy.Runtime.Storage;

/// <summary>
/// A (flow, version) pair as one string, as claims and queries pass the pairs a worker has to a store: the flow's name, the
/// separator U+001F, the version. A version never holds the separator (<c>AddFlow</c> refuses it), so a key names one pair.
/// </summary>
public static class FlowVersionKey
{
    /// <summary>The separator between the flow's name and the version (U+001F, the unit separator).</summary>
    public const char Separator = '\u001f';

    /// <summary>The key of a flow's version.</summary>
    public static string Of(string flow, string version)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(version);
        return string.Concat(flow, Separator.ToString(), version);
    }

    /// <summary>The flow's name in a key.</summary>
    public static string FlowOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = key.LastIndexOf(Separator);
        return at < 0 ? key : key[..at];
    }
}
