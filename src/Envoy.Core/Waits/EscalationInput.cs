namespace Envoy;

/// <summary>One field of an escalation's form. Build with <see cref="Approve"/>, <see cref="Comment"/> or <see cref="Select"/>.</summary>
public sealed record EscalationInput
{
    /// <summary>Creates a field; prefer the factories.</summary>
    public EscalationInput(string id, string label, EscalationInputKind kind, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(label);
        if (kind == EscalationInputKind.Select && (options is null || options.Count == 0))
        {
            throw new ArgumentException($"Select input '{id}' needs at least one option.", nameof(options));
        }

        Id = id;
        Label = label;
        Kind = kind;
        Options = options;
    }

    /// <summary>The key of this field's value in the reply.</summary>
    public string Id { get; init; }

    /// <summary>What the human sees.</summary>
    public string Label { get; init; }

    /// <summary>Select, comment or approve.</summary>
    public EscalationInputKind Kind { get; init; }

    /// <summary>For <see cref="EscalationInputKind.Select"/>: value → label.</summary>
    public IReadOnlyDictionary<string, string>? Options { get; init; }

    /// <summary>An approve/reject field.</summary>
    public static EscalationInput Approve(string id, string label) => new(id, label, EscalationInputKind.Approve);

    /// <summary>A free-text field.</summary>
    public static EscalationInput Comment(string id, string label) => new(id, label, EscalationInputKind.Comment);

    /// <summary>A choice among options (value → label).</summary>
    public static EscalationInput Select(string id, string label, IReadOnlyDictionary<string, string> options) =>
        new(id, label, EscalationInputKind.Select, options);
}
