using System.Text.Json.Nodes;

namespace Envoy.Benchmarks;

/// <summary>Builds a realistic context of about 1 KB when serialized: an order as input and output, some data, a resolved wait.</summary>
internal static class ContextFactory
{
    public static StateContext OneKilobyte()
    {
        var order = new
        {
            orderId = "ord_8f14e45fceea167a5a36dedd4bea2543",
            customer = new { id = "cus_1679091c5a880faf", name = "Ada Lovelace", email = "ada@example.com" },
            lines = Enumerable.Range(1, 2).Select(i => new { sku = $"SKU-{i:D4}", quantity = i, price = 9.99 * i }).ToArray(),
            currency = "EUR",
        };
        var ctx = new StateContext("Charge", order) { JobId = "job_c9f0f895fb98ab9159f51fd0297e236d" };
        ctx.Output("status", "charged")
            .Output("receipt.id", "rcpt_45c48cce2e2d7fbdea1afc51c7c6ad26")
            .Set("attempts", 2)
            .Set("payment.provider", "acme-pay")
            .Set("payment.reference", "pay_d3d9446802a44259755d38e6d163e820")
            .Set("audit.createdBy", "checkout-service")
            .Set("audit.tags", new[] { "web", "eu", "priority" })
            .WaitFor(new WaitFor("fraud-check", "webhook", new JsonObject { ["orderId"] = "ord_8f14e45fceea167a5a36dedd4bea2543" }));
        ctx.Resolve("fraud-check", new { score = 0.02, verdict = "pass" });
        return ctx;
    }
}
