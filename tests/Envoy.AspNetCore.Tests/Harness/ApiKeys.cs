namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>The API keys every test host knows: one admin, two operators (alice, bob), one viewer.</summary>
public static class ApiKeys
{
    public const string Admin = "test-admin-key";
    public const string Alice = "test-alice-key";
    public const string Bob = "test-bob-key";
    public const string Viewer = "test-viewer-key";

    public static void Configure(EnvoyServerOptions options)
    {
        options.ApiKeys.Add(new EnvoyApiKey { Key = Admin, User = "root", Role = "admin" });
        options.ApiKeys.Add(new EnvoyApiKey { Key = Alice, User = "alice", Role = "operator" });
        options.ApiKeys.Add(new EnvoyApiKey { Key = Bob, User = "bob", Role = "operator" });
        options.ApiKeys.Add(new EnvoyApiKey { Key = Viewer, User = "vera", Role = "viewer" });
    }
}
