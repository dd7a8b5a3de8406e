using System.Globalization;
using System.Text;

namespace Envoy;

public sealed partial class StateFlow
{
    /// <summary>
    /// A Mermaid <c>graph TD</c> of the states and their possible transitions: <c>A --> B</c>, and <c>A -->|description| B</c>
    /// for a described route. A state with no successor appears on a line of its own. Drawn from <see cref="Describe"/>.
    /// </summary>
    public string ToMermaid()
    {
        var ids = new string[_states.Length];
        var text = new StringBuilder("graph TD\n");
        for (var i = 0; i < _states.Length; i++)
        {
            ids[i] = IsPlainId(_states[i].Name) ? _states[i].Name : "s" + i.ToString(CultureInfo.InvariantCulture);
            if (!ReferenceEquals(ids[i], _states[i].Name))
            {
                text.Append("    ").Append(ids[i]).Append("[\"").Append(Escape(_states[i].Name)).Append("\"]\n");
            }
        }

        var description = Describe();
        for (var i = 0; i < description.States.Count; i++)
        {
            var state = description.States[i];
            foreach (var route in state.Routes)
            {
                text.Append("    ").Append(ids[i]).Append(" -->");
                if (route.Description is not null)
                {
                    text.Append('|').Append(Escape(route.Description)).Append('|');
                }

                text.Append(' ').Append(ids[IndexOf(route.To)]).Append('\n');
            }

            if (state.IsFinal)
            {
                text.Append("    ").Append(ids[i]).Append('\n');
            }
        }

        return text.ToString();
    }

    private static bool IsPlainId(string name)
    {
        if (string.Equals(name, "end", StringComparison.Ordinal) || string.Equals(name, "graph", StringComparison.Ordinal) || !char.IsLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static string Escape(string text) =>
        text.Replace("\"", "#quot;", StringComparison.Ordinal).Replace("|", "#124;", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
