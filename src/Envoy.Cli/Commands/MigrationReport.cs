namespace Envoy.Cli.Commands;

/// <summary>What <c>envoy migrate --json</c> prints.</summary>
/// <param name="Store">The store (<c>sqlite:/path</c>, <c>postgres:host:port/db</c>; never a password).</param>
/// <param name="DryRun">Whether nothing was changed (<c>--dry-run</c>).</param>
/// <param name="SchemaVersion">The schema version this envoy brings a store to.</param>
/// <param name="Pending">The migrations the store lacked when checked (with <c>--dry-run</c>: lacks).</param>
/// <param name="UpToDate">Whether the store is at <paramref name="SchemaVersion"/> now.</param>
internal sealed record MigrationReport(string Store, bool DryRun, int SchemaVersion, IReadOnlyList<MigrationItem> Pending, bool UpToDate);

/// <summary>One migration in a <see cref="MigrationReport"/>.</summary>
internal sealed record MigrationItem(int Version, string Description);
