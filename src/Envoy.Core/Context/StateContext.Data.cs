using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class StateContext
{
    /// <summary>The prefix of ephemeral data keys: they live for one state and are dropped on each transition.</summary>
    public const string EphemeralPrefix = "$";

    private JsonObject? _data;

    /// <summary>The custom data as a live JSON object (keys set with <see cref="Set(string, object?)"/>).</summary>
    public JsonObject Data => _data ??= new JsonObject();

    /// <summary>Stores a value; a key with dots is a path (<c>Set("a.b", 1)</c> creates <c>{"a":{"b":1}}</c>). Returns this context.</summary>
    /// <exception cref="ContextValueException">The value cannot be written as JSON.</exception>
    public StateContext Set(string key, object? value)
    {
        JsonPath.Validate(key);
        JsonPath.Set(Data, key, JsonValues.ToNode(value, key));
        return this;
    }

    /// <summary>Reads a value (a dotted key is a path); a missing key gives <c>default(T)</c>.</summary>
    /// <exception cref="ContextValueException">The value does not hold a <typeparamref name="T"/>.</exception>
    public T? Get<T>(string key)
    {
        JsonPath.Validate(key);
        return _data is null ? default : JsonValues.FromNode<T>(JsonPath.Get(_data, key), key);
    }

    /// <summary>True when the key (or path) holds a value, even a JSON null.</summary>
    public bool Has(string key)
    {
        JsonPath.Validate(key);
        if (_data is null)
        {
            return false;
        }

        var dot = key.LastIndexOf('.');
        var parent = dot < 0 ? _data : JsonPath.Get(_data, key[..dot]) as JsonObject;
        return parent is not null && parent.ContainsKey(dot < 0 ? key : key[(dot + 1)..]);
    }

    /// <summary>Removes a key (or path); returns this context.</summary>
    public StateContext Remove(string key)
    {
        JsonPath.Validate(key);
        if (_data is not null)
        {
            JsonPath.Remove(_data, key);
        }

        return this;
    }

    private void DropEphemeralData()
    {
        if (_data is null || _data.Count == 0)
        {
            return;
        }

        List<string>? doomed = null;
        foreach (var (key, _) in _data)
        {
            if (key.StartsWith(EphemeralPrefix, StringComparison.Ordinal))
            {
                (doomed ??= []).Add(key);
            }
        }

        if (doomed is not null)
        {
            foreach (var key in doomed)
            {
                _data.Remove(key);
            }
        }
    }
}
