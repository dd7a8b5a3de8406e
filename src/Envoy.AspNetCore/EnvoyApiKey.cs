namespace Envoy.AspNetCore;

/// <summary>One API key of <c>Envoy:Server:ApiKeys</c>: who calls with it, and what they may do.</summary>
public sealed class EnvoyApiKey
{
    /// <summary>The secret sent as <c>Authorization: Bearer &lt;key&gt;</c> (or typed into the dashboard's sign-in form).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>The user the key acts as (escalations addressed to this user may be answered with it; <c>repliedBy</c>).</summary>
    public string User { get; set; } = string.Empty;

    /// <summary>The role: <c>viewer</c>, <c>operator</c> or <c>admin</c> (see <see cref="EnvoyRoles"/>).</summary>
    public string Role { get; set; } = EnvoyRoles.Viewer;
}
