using Envoy.Testing;

namespace ToolAgentSample;

/// <summary>The model's side of the three demos, replayed by the local fake server when no API key is set.</summary>
internal static class FakeScript
{
    public static void Enqueue(FakeLlmServer server) => server.Enqueue(
        // 1. Native: call add(2, 2), then answer.
        FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 2 })),
        FakeLlmResponse.Text("2 + 2 = 4."),

        // 2. JSON plan: two calls in one plan (they run concurrently), then the answer.
        FakeLlmResponse.Json(new
        {
            plan = "Add the numbers and echo a greeting at the same time.",
            action = "call_tools",
            toolCalls = new object[]
            {
                new { id = "sum", name = "add", arguments = new { a = 40, b = 2 } },
                new { id = "hello", name = "echo", arguments = new { text = "hello" } },
            },
        }),
        FakeLlmResponse.Json(new { plan = "Both results are in.", action = "answer", answer = "40 + 2 = 42, and the echo said hello." }),

        // 3. Approval: a call to a tool that needs a human's yes, then the answer.
        FakeLlmResponse.WithToolCalls(new FakeToolCall("send_email", new { to = "team@example.com", subject = "Weekly report" })),
        FakeLlmResponse.Text("The weekly report was sent to team@example.com."));
}
