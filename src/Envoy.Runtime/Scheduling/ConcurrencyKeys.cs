namespace Envoy;

/// <summary>The rules of a <see cref="ScheduleOptions.ConcurrencyKey"/>.</summary>
internal static class ConcurrencyKeys
{
    /// <summary>The longest key, in UTF-16 characters.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// Throws when <paramref name="key"/> is set but empty, only white space, too long, or holds U+0000 (no store keeps it),
    /// naming <paramref name="paramName"/>.
    /// </summary>
    public static void ThrowIfInvalid(string? key, string paramName)
    {
        if (key is not null && (string.IsNullOrWhiteSpace(key) || key.Length > MaxLength || key.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                $"ScheduleOptions.ConcurrencyKey must be 1 to {MaxLength} characters, not only white space, without U+0000 (was '{key}'), or null for none.",
                paramName);
        }
    }
}
