using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Envoy;

/// <summary>
/// A tool the <see cref="ToolAgent"/> may call: a name, a description, a JSON Schema of its arguments and a handler that
/// receives the arguments and the run's <see cref="StateContext"/>. Create with <see cref="Create(string, string, Delegate)"/>
/// (the schema comes from the delegate's parameters) or <see cref="Create(string, string, JsonNode, Func{JsonNode, StateContext, Task{object?}})"/>.
/// Arguments are checked against the schema before the handler runs. Tools of one plan run concurrently and share the context.
/// </summary>
public sealed partial record AgentTool
{
    private readonly Func<JsonObject, StateContext, CancellationToken, Task<object?>> _handler;
    private readonly ToolArgumentValidator _validator;
    private readonly JsonNode _parameters;

    private AgentTool(string name, string description, JsonNode parameters, Func<JsonObject, StateContext, CancellationToken, Task<object?>> handler)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"Tool name '{name}' must be 1 to 64 letters, digits, '_' or '-'.", nameof(name));
        }

        ArgumentNullException.ThrowIfNull(description);
        Name = name;
        Description = description;
        _parameters = parameters;
        _validator = new ToolArgumentValidator(name, parameters);
        _handler = handler;
    }

    /// <summary>The name the model calls the tool by.</summary>
    public string Name { get; }

    /// <summary>What the tool does, for the model.</summary>
    public string Description { get; }

    /// <summary>A JSON Schema of the arguments object (a copy).</summary>
    public JsonNode Parameters => _parameters.DeepClone();

    /// <summary>
    /// When true, each call escalates first (with the tool's name and arguments) and runs only if a human approves it;
    /// a rejected call goes back to the model as that call's result.
    /// </summary>
    public bool RequiresApproval { get; init; }

    /// <summary>
    /// A tool from any delegate with typed parameters: the JSON Schema is generated from the parameters (names, types,
    /// optional ones with defaults). A <see cref="StateContext"/> parameter receives the run's context and a
    /// <see cref="CancellationToken"/> parameter the step's token; neither appears in the schema. The return value
    /// (awaited when it is a task) is the result the model sees: strings as they are, anything else as JSON.
    /// </summary>
    public static AgentTool Create(string name, string description, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var function = AIFunctionFactory.Create(handler, new AIFunctionFactoryOptions
        {
            Name = name,
            Description = description,
            SerializerOptions = EnvoyJson.Options,
            ExcludeResultSchema = true,
            ConfigureParameterBinding = parameter => parameter.ParameterType == typeof(StateContext)
                ? new AIFunctionFactoryOptions.ParameterBindingOptions { ExcludeFromSchema = true, BindParameter = static (_, args) => args.Context?[typeof(StateContext)] }
                : default,
        });
        var schema = JsonNode.Parse(function.JsonSchema.GetRawText()) ?? new JsonObject();
        return new AgentTool(name, description, schema, (arguments, context, token) => DelegateInvoker.InvokeAsync(function, arguments, context, token));
    }

    /// <summary>A tool with a given JSON Schema; <paramref name="handler"/> receives the (validated) arguments object and the context.</summary>
    public static AgentTool Create(string name, string description, JsonNode schema, Func<JsonNode, StateContext, Task<object?>> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(handler);
        return new AgentTool(name, description, schema.DeepClone(), (arguments, context, _) => handler(arguments, context));
    }

    /// <summary>A tool whose handler only throws (<c>(string x) => throw ...</c> has no delegate type of its own); see <see cref="Create(string, string, Delegate)"/>.</summary>
    public static AgentTool Create(string name, string description, Func<NoResult> handler) => Create(name, description, (Delegate)handler);

    /// <summary>A tool whose handler only throws; see <see cref="Create(string, string, Delegate)"/>.</summary>
    public static AgentTool Create<T1>(string name, string description, Func<T1, NoResult> handler) => Create(name, description, (Delegate)handler);

    /// <summary>A tool whose handler only throws; see <see cref="Create(string, string, Delegate)"/>.</summary>
    public static AgentTool Create<T1, T2>(string name, string description, Func<T1, T2, NoResult> handler) => Create(name, description, (Delegate)handler);

    /// <summary>A tool whose handler only throws; see <see cref="Create(string, string, Delegate)"/>.</summary>
    public static AgentTool Create<T1, T2, T3>(string name, string description, Func<T1, T2, T3, NoResult> handler) => Create(name, description, (Delegate)handler);

    /// <summary>A tool whose handler only throws; see <see cref="Create(string, string, Delegate)"/>.</summary>
    public static AgentTool Create<T1, T2, T3, T4>(string name, string description, Func<T1, T2, T3, T4, NoResult> handler) => Create(name, description, (Delegate)handler);

    /// <summary>The tool as offered to the model.</summary>
    public LlmToolDefinition ToDefinition() => new(Name, Description, _parameters.DeepClone());

    /// <summary>Problems of <paramref name="arguments"/> against <see cref="Parameters"/> (empty when they match).</summary>
    public IReadOnlyList<string> Validate(JsonNode? arguments) => _validator.Validate(arguments);

    /// <summary>Checks the arguments and runs the handler.</summary>
    /// <exception cref="AgentToolArgumentsException">The arguments do not match the schema.</exception>
    public Task<object?> InvokeAsync(JsonNode? arguments, StateContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = Validate(arguments);
        if (errors.Count > 0)
        {
            throw new AgentToolArgumentsException(Name, errors);
        }

        return _handler(arguments as JsonObject ?? new JsonObject(), context, cancellationToken);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
