using System.Security.Cryptography;
using System.Text;

namespace Envoy.Runtime.Execution;

/// <summary>
/// A flow's version when none is set by hand: a stable hash of its shape (the start state, each state's name and the states it
/// may route to, default routes marked). Handlers, descriptions and plugins are not part of the shape: changing code inside a
/// state keeps the version, adding, removing or renaming a state or a route changes it.
/// </summary>
internal static class FlowShape
{
    /// <summary>Hex digits of the SHA-256 kept in a version (64 bits: collisions between the shapes of one flow are not a concern).</summary>
    private const int HexDigits = 16;

    public static string Hash(StateFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var text = new StringBuilder();
        Append(text, flow.StartState ?? string.Empty);
        foreach (var state in flow.Describe().States.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            text.Append('S');
            Append(text, state.Name);
            foreach (var route in state.Routes.OrderBy(r => r.To, StringComparer.Ordinal).ThenBy(r => r.IsDefault))
            {
                text.Append(route.IsDefault ? 'D' : 'R');
                Append(text, route.To);
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash)[..HexDigits];
    }

    /// <summary>Length-prefixed, so that no two shapes write the same text whatever their names hold.</summary>
    private static void Append(StringBuilder text, string value) =>
        text.Append(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(value);
}
