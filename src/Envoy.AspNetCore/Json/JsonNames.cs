namespace Envoy.AspNetCore.Json;

/// <summary>The API's lower-camel names of Envoy's enums (<c>pending</c>, <c>stepCompleted</c>, ...).</summary>
public static class JsonNames
{
    /// <summary>An enum value's name with its first letter in lower case.</summary>
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var name = value.ToString();
        return name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>Reads a lower-camel (or any case) enum name; false for an unknown name, a number or a list of names.</summary>
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text) && !char.IsAsciiDigit(text.Trim()[0]) && text.Trim()[0] != '-'
            && !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value);
    }
}
