using System.Text.Json.Nodes;

namespace Envoy.Agents.Tests;

public sealed class AgentToolTests
{
    [Fact]
    public void Create_FromDelegate_GeneratesTheSchemaFromParameters()
    {
        var tool = AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b);

        var schema = tool.Parameters;
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal("number", schema["properties"]!["a"]!["type"]!.GetValue<string>());
        Assert.Equal("number", schema["properties"]!["b"]!["type"]!.GetValue<string>());
        Assert.Equal(["a", "b"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(tool.RequiresApproval);
    }

    [Fact]
    public async Task Create_WithContextParameter_InjectsTheContextAndLeavesItOutOfTheSchema()
    {
        var tool = AgentTool.Create("remember", "Remember a fact", (string fact, StateContext ctx) =>
        {
            ctx.Set("fact", fact);
            return "noted";
        });
        var ctx = new StateContext("s");

        var result = await tool.InvokeAsync(new JsonObject { ["fact"] = "sky is blue" }, ctx);

        Assert.Equal("noted", Assert.IsType<System.Text.Json.JsonElement>(result).GetString());
        Assert.Equal("sky is blue", ctx.Get<string>("fact"));
        Assert.Null(tool.Parameters["properties"]!["ctx"]);
        Assert.Equal(["fact"], tool.Parameters["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_AsyncDelegateWithRecordParameter_BindsItFromJson()
    {
        var tool = AgentTool.Create("area", "Area of a rectangle", async (Rect rect, CancellationToken ct) =>
        {
            await Task.Yield();
            return rect.Width * rect.Height;
        });

        var result = await tool.InvokeAsync(JsonNode.Parse("{\"rect\":{\"width\":3,\"height\":4}}"), new StateContext("s"));

        Assert.Equal(12, Assert.IsType<System.Text.Json.JsonElement>(result).GetInt32());
        Assert.Null(tool.Parameters["properties"]!["ct"]);
    }

    [Fact]
    public async Task Create_ThrowingLambda_CompilesAndThrowsOnInvoke()
    {
        var tool = AgentTool.Create("boom", "Always fails", (string input) => throw new InvalidOperationException("kaput: " + input));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => tool.InvokeAsync(new JsonObject { ["input"] = "x" }, new StateContext("s")));

        Assert.Equal("kaput: x", error.Message);
        Assert.Equal("string", tool.Parameters["properties"]!["input"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvokeAsync_ArgumentsNotMatchingTheSchema_ThrowsListingEveryProblem()
    {
        var tool = AgentTool.Create("add", "Add", (double a, double b) => a + b);

        var error = await Assert.ThrowsAsync<AgentToolArgumentsException>(() => tool.InvokeAsync(new JsonObject { ["a"] = "two" }, new StateContext("s")));

        Assert.Equal("add", error.ToolName);
        Assert.Contains(error.Errors, e => e.StartsWith("/a", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("\"b\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_WithGivenSchema_ValidatesAndPassesArgumentsAndContext()
    {
        var schema = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string","enum":["Paris","Oslo"]}},"required":["city"],"additionalProperties":false}""")!;
        var tool = AgentTool.Create("weather", "Weather of a city", schema, async (args, ctx) => $"{args["city"]} is sunny (step {ctx.Step})");

        var ok = await tool.InvokeAsync(new JsonObject { ["city"] = "Oslo" }, new StateContext("s"));

        Assert.Equal("Oslo is sunny (step 1)", ok);
        Assert.NotEmpty(tool.Validate(new JsonObject { ["city"] = "Rome" }));
        Assert.NotEmpty(tool.Validate(new JsonObject { ["city"] = "Oslo", ["extra"] = 1 }));
        Assert.NotEmpty(tool.Validate(JsonValue.Create(5)));
        Assert.Empty(tool.Validate(new JsonObject { ["city"] = "Paris" }));
    }

    [Fact]
    public void Create_InvalidName_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => AgentTool.Create("has space", "x", (string s) => s));
    }

    [Fact]
    public void RequiresApproval_IsSetWithAWithExpression()
    {
        var tool = AgentTool.Create("delete", "Delete a file", (string path) => path) with { RequiresApproval = true };

        Assert.True(tool.RequiresApproval);
        Assert.Equal("delete", tool.ToDefinition().Name);
    }
}

public sealed record Rect(int Width, int Height);
