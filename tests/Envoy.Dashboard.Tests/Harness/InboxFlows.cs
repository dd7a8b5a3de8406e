using System.Text.Json.Nodes;

namespace Envoy.Dashboard.Tests.Harness;

/// <summary>Flows of the inbox and security tests, next to the sample flows.</summary>
public static class InboxFlows
{
    /// <summary>
    /// <c>ask</c>: escalates to <c>input.user</c> with the message <c>input.message</c> (taken as is: a test puts markup in it)
    /// and a choice (<c>input.label</c> labels it), a comment and an approval; ends with the reply's status, choice and note.
    /// </summary>
    public const string Ask = "ask";

    public static void Register(EnvoyBuilder envoy)
    {
        ArgumentNullException.ThrowIfNull(envoy);
        envoy.AddFlow(Ask, new StateFlow(
        [
            new State("Ask")
            {
                OnState = async ctx =>
                {
                    var input = ctx.Input()!;
                    var label = input["label"]?.GetValue<string>() ?? "Priority";
                    ctx.Escalate(
                        input["user"]!.GetValue<string>(),
                        input["message"]!.GetValue<string>(),
                        [
                            EscalationInput.Select("priority", label, new Dictionary<string, string> { ["low"] = "Low", ["high"] = label }),
                            EscalationInput.Comment("note", "Note"),
                            EscalationInput.Approve("ok", "Go ahead"),
                        ]);
                    return ctx;
                },
                OnExit = async ctx => ctx.Output(new JsonObject
                {
                    ["status"] = ctx.Get<string>("$escalation.status"),
                    ["priority"] = ctx.Get<string>("$escalation.priority"),
                    ["note"] = ctx.Get<string>("$escalation.note"),
                }),
                Router = Router.End,
            },
        ]));
    }
}
