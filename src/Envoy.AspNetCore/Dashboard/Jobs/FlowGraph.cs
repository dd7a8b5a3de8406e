using System.Globalization;
using System.Text;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// A flow drawn for the dashboard: the Mermaid text of its states and routes (from <see cref="StateFlow.Describe"/>), with the
/// current state and the states visited so far marked by Mermaid classes, and the same as a text list for screen readers.
/// </summary>
/// <param name="Mermaid">The Mermaid text (node ids <c>s0</c>, <c>s1</c>… so that no state name can break the syntax; names are labels).</param>
/// <param name="States">The states in declaration order, with the routes leaving each.</param>
public sealed record FlowGraph(string Mermaid, IReadOnlyList<FlowGraphState> States)
{
    /// <summary>The Mermaid class of the current state.</summary>
    public const string CurrentClass = "current";

    /// <summary>The Mermaid class of a state visited before.</summary>
    public const string VisitedClass = "visited";

    /// <summary>The graph of <paramref name="flow"/>; <paramref name="current"/> and <paramref name="visited"/> mark a job's path (or null).</summary>
    public static FlowGraph Of(StateFlow flow, string? current = null, IReadOnlySet<string>? visited = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var description = flow.Describe();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < description.States.Count; i++)
        {
            ids[description.States[i].Name] = "s" + i.ToString(CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder("flowchart TD\n");
        var states = new List<FlowGraphState>(description.States.Count);
        foreach (var state in description.States)
        {
            var id = ids[state.Name];
            var isStart = string.Equals(state.Name, description.StartState, StringComparison.Ordinal);
            text.Append("    ").Append(id).Append(state.IsFinal ? "([\"" : "[\"").Append(Escape(state.Name)).Append(state.IsFinal ? "\"])\n" : "\"]\n");
            var isCurrent = string.Equals(state.Name, current, StringComparison.Ordinal);
            var isVisited = !isCurrent && visited is not null && visited.Contains(state.Name);
            states.Add(new FlowGraphState(state.Name, state.Description, isStart, state.IsFinal, isCurrent, isVisited, state.Routes));
        }

        foreach (var state in description.States)
        {
            foreach (var route in state.Routes)
            {
                if (!ids.TryGetValue(route.To, out var to))
                {
                    continue;
                }

                text.Append("    ").Append(ids[state.Name]).Append(" -->");
                if (route.Description is not null)
                {
                    text.Append("|\"").Append(Escape(route.Description)).Append("\"|");
                }

                text.Append(' ').Append(to).Append('\n');
            }
        }

        text.Append("    classDef ").Append(CurrentClass).Append(" fill:#fbbf24,stroke:#b45309,stroke-width:3px,color:#111\n");
        text.Append("    classDef ").Append(VisitedClass).Append(" fill:#bfdbfe,stroke:#1d4ed8,color:#111\n");
        foreach (var state in states)
        {
            if (state.IsCurrent || state.IsVisited)
            {
                text.Append("    class ").Append(ids[state.Name]).Append(' ').Append(state.IsCurrent ? CurrentClass : VisitedClass).Append('\n');
            }
        }

        return new FlowGraph(text.ToString(), states);
    }

    /// <summary>The states a job went through, from its history (every entry naming a state) and its current state.</summary>
    public static HashSet<string> Visited(IEnumerable<JobEvent> history, string? current)
    {
        ArgumentNullException.ThrowIfNull(history);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.State is not null)
            {
                visited.Add(e.State);
            }
        }

        if (current is not null)
        {
            visited.Add(current);
        }

        return visited;
    }

    /// <summary>A label Mermaid shows as written: quotes, brackets, markup and entity starts become Mermaid entity codes.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '#': escaped.Append("#35;"); break;
                case '"': escaped.Append("#quot;"); break;
                case '<': escaped.Append("#lt;"); break;
                case '>': escaped.Append("#gt;"); break;
                case '&': escaped.Append("#amp;"); break;
                case '|': escaped.Append("#124;"); break;
                case '`': escaped.Append("#96;"); break;
                case '\r' or '\n' or '\t': escaped.Append(' '); break;
                default: escaped.Append(c); break;
            }
        }

        return escaped.ToString();
    }
}

/// <summary>One state of a <see cref="FlowGraph"/>.</summary>
/// <param name="Name">The state's name.</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="IsStart">Whether runs start here.</param>
/// <param name="IsFinal">Whether no route leaves it.</param>
/// <param name="IsCurrent">Whether the job is in this state now.</param>
/// <param name="IsVisited">Whether the job was in this state before.</param>
/// <param name="Routes">The routes leaving it.</param>
public sealed record FlowGraphState(string Name, string? Description, bool IsStart, bool IsFinal, bool IsCurrent, bool IsVisited, IReadOnlyList<RouteDescription> Routes);
