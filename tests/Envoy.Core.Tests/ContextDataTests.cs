using System.Text.Json.Nodes;

namespace Envoy.Core.Tests;

public class ContextDataTests
{
    [Fact]
    public void SetGet_TypedValues()
    {
        var ctx = new StateContext("S")
            .Set("int", 42)
            .Set("long", 5_000_000_000L)
            .Set("double", 1.25)
            .Set("bool", true)
            .Set("string", "s")
            .Set("point", new Point(1, 1))
            .Set("list", new List<string> { "a", "b" })
            .Set("date", new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));

        Assert.Equal(42, ctx.Get<int>("int"));
        Assert.Equal(5_000_000_000L, ctx.Get<long>("long"));
        Assert.Equal(1.25, ctx.Get<double>("double"));
        Assert.True(ctx.Get<bool>("bool"));
        Assert.Equal("s", ctx.Get<string>("string"));
        Assert.Equal(new Point(1, 1), ctx.Get<Point>("point"));
        Assert.Equal(["a", "b"], ctx.Get<List<string>>("list"));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ctx.Get<DateTimeOffset>("date"));
        Assert.Equal(42L, ctx.Get<long>("int"));
        Assert.Equal(42.0, ctx.Get<double>("int"));
    }

    [Fact]
    public void Set_DottedKey_IsAPath()
    {
        var ctx = new StateContext("S").Set("a.b", 1);

        Assert.Equal(1, ctx.Get<int>("a.b"));
        var a = Assert.IsType<JsonObject>(ctx.Get<JsonNode>("a"));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"b":1}"""), a));
        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":{"b":1}}"""), ctx.Data));
    }

    [Fact]
    public void Set_DeepPath_CreatesObjectsAndKeepsSiblings()
    {
        var ctx = new StateContext("S")
            .Set("a.b.c", 1)
            .Set("a.b.d", 2)
            .Set("a.e", "x");

        Assert.True(JsonNode.DeepEquals(Handlers.Json("""{"a":{"b":{"c":1,"d":2},"e":"x"}}"""), ctx.Data));
        Assert.Equal(2, ctx.Get<int>("a.b.d"));
    }

    [Fact]
    public void Set_PathThroughAScalar_ReplacesItWithAnObject()
    {
        var ctx = new StateContext("S").Set("a", 5).Set("a.b", 6);

        Assert.Equal(6, ctx.Get<int>("a.b"));
    }

    [Fact]
    public void Set_Overwrites()
    {
        var ctx = new StateContext("S").Set("k", 1).Set("k", "two");

        Assert.Equal("two", ctx.Get<string>("k"));
    }

    [Fact]
    public void Get_MissingKey_ReturnsDefault()
    {
        var empty = new StateContext("S");
        var withData = new StateContext("S").Set("a.b", 1);

        Assert.Equal(0, empty.Get<int>("missing"));
        Assert.Null(empty.Get<string>("missing"));
        Assert.Null(empty.Get<int?>("missing"));
        Assert.Null(empty.Get<Point>("missing"));
        Assert.Null(empty.Get<JsonNode>("missing"));
        Assert.Equal(0, withData.Get<int>("missing"));
        Assert.Equal(0, withData.Get<int>("a.c"));
        Assert.Equal(0, withData.Get<int>("a.b.c"));
        Assert.Null(withData.Get<string>("x.y.z"));
        Assert.False(withData.Get<bool>("nope"));
    }

    [Fact]
    public void Get_JsonNull_ReturnsDefault()
    {
        var ctx = new StateContext("S").Set("k", null);

        Assert.True(ctx.Has("k"));
        Assert.Null(ctx.Get<string>("k"));
        Assert.Equal(0, ctx.Get<int>("k"));
    }

    public static TheoryData<object, string> WrongTypes => new()
    {
        { "abc", "int" },
        { new Point(1, 2), "int" },
        { 5, "string" },
        { 1.5, "int" },
        { "not a point", "Point" },
        { new[] { 1, 2 }, "Point" },
        { true, "int" },
        { "x", "bool" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Get_WrongType_ThrowsContextValueExceptionNamingTheKey(object value, string type)
    {
        var ctx = new StateContext("S").Set("k.v", value);
        var before = ctx.Serialize();

        Action read = type switch
        {
            "int" => () => ctx.Get<int>("k.v"),
            "string" => () => ctx.Get<string>("k.v"),
            "bool" => () => ctx.Get<bool>("k.v"),
            _ => () => ctx.Get<Point>("k.v"),
        };
        var ex = Assert.Throws<ContextValueException>(read);

        Assert.Equal("k.v", ex.Path);
        Assert.Contains("k.v", ex.Message);
        Assert.Equal(before, ctx.Serialize());
    }

    [Fact]
    public void WrongTypeAfterDeserialize_StillThrowsContextValueException()
    {
        var ctx = StateContext.Deserialize(new StateContext("S", "text").Set("k", "abc").Serialize());

        Assert.Throws<ContextValueException>(() => ctx.Input<int>());
        Assert.Throws<ContextValueException>(() => ctx.Get<int>("k"));
        Assert.Equal("abc", ctx.Get<string>("k"));
    }

    [Fact]
    public void Set_ValueThatCannotBeJson_ThrowsContextValueExceptionAndChangesNothing()
    {
        var cyclic = new SelfReferencing();
        cyclic.Self = cyclic;
        var ctx = new StateContext("S").Set("keep", 1);
        var before = ctx.Serialize();

        var ex = Assert.Throws<ContextValueException>(() => ctx.Set("bad", cyclic));

        Assert.Equal("bad", ex.Path);
        Assert.Equal(before, ctx.Serialize());
        Assert.Throws<ContextValueException>(() => ctx.Output(cyclic));
        Assert.Equal(before, ctx.Serialize());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a..b")]
    public void Set_InvalidKey_ThrowsArgumentException(string key)
    {
        var ctx = new StateContext("S");

        Assert.ThrowsAny<ArgumentException>(() => ctx.Set(key, 1));
        Assert.ThrowsAny<ArgumentException>(() => ctx.Get<int>(key));
        Assert.ThrowsAny<ArgumentException>(() => ctx.Output(key, 1));
        Assert.Empty(ctx.Data);
    }

    [Fact]
    public void Set_NullKey_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => new StateContext("S").Set(null!, 1));
    }

    [Fact]
    public void SetOfANodeFromData_CopiesIt()
    {
        var ctx = new StateContext("S").Set("a.v", 1);

        ctx.Set("b", ctx.Get<JsonNode>("a")).Set("b.v", 2);

        Assert.Equal(1, ctx.Get<int>("a.v"));
        Assert.Equal(2, ctx.Get<int>("b.v"));
    }

    [Fact]
    public void HasAndRemove_WorkWithPaths()
    {
        var ctx = new StateContext("S").Set("a.b", 1).Set("c", 2);

        Assert.True(ctx.Has("a"));
        Assert.True(ctx.Has("a.b"));
        Assert.False(ctx.Has("a.x"));
        Assert.False(ctx.Has("zzz"));
        Assert.False(new StateContext("S").Has("a"));

        ctx.Remove("a.b").Remove("c").Remove("missing").Remove("x.y");

        Assert.True(ctx.Has("a"));
        Assert.False(ctx.Has("a.b"));
        Assert.False(ctx.Has("c"));
    }
}
