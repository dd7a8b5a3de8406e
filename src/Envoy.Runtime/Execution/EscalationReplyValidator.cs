using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.Runtime.Execution;

/// <summary>Checks a reply's values against the escalation's declared inputs, once for every store.</summary>
internal static class EscalationReplyValidator
{
    /// <summary>
    /// Throws when a value does not fit: an id that names no input, a <c>select</c> value that is not one of its options, an
    /// <c>approve</c> value that is not a boolean. A null value is no answer and fits any input.
    /// </summary>
    /// <exception cref="InvalidEscalationReplyException">A value does not fit; it names the input.</exception>
    public static void Validate(Escalation escalation, JsonObject values)
    {
        foreach (var (inputId, value) in values)
        {
            var input = escalation.Inputs.FirstOrDefault(i => string.Equals(i.Id, inputId, StringComparison.Ordinal))
                ?? throw new InvalidEscalationReplyException(
                    escalation.Id,
                    inputId,
                    $"Escalation '{escalation.Id}' has no input '{inputId}' (its inputs: {string.Join(", ", escalation.Inputs.Select(i => i.Id))}).");
            if (value is null)
            {
                continue;
            }

            switch (input.Kind)
            {
                case EscalationInputKind.Approve when value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False):
                    throw new InvalidEscalationReplyException(escalation.Id, inputId, $"Input '{inputId}' of escalation '{escalation.Id}' is an approval: its value must be true or false, not {value.ToJsonString()}.");
                case EscalationInputKind.Select when value.GetValueKind() != JsonValueKind.String || input.Options?.ContainsKey(value.GetValue<string>()) != true:
                    throw new InvalidEscalationReplyException(escalation.Id, inputId, $"Input '{inputId}' of escalation '{escalation.Id}' is a choice: its value must be one of {string.Join(", ", input.Options?.Keys ?? [])}, not {value.ToJsonString()}.");
                default:
                    break;
            }
        }
    }
}
