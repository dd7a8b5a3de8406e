using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <summary>
    /// The fast path of a commit that keeps the job running and creates nothing (a step that moved to the next state): one
    /// narrow update and its history entries. False when it does not apply or the row did not match; the general path then
    /// decides (and reports a commit refused by version or lease exactly as before).
    /// </summary>
    private bool TryCommitStillRunning(StepCommit commit, SqliteTransaction tx)
    {
        if (commit.Status != JobStatus.Running || commit.LeaseUntilMs is null || commit.RunAtMs is not null || commit.Error is not null
            || commit.Children.Count > 0 || commit.Waits.Count > 0 || commit.Escalations.Count > 0)
        {
            return false;
        }

        var updated = Commands.Get(SqliteSql.CommitStillRunning, tx)
            .Bind("@context", commit.ContextJson)
            .Bind("@retries", commit.Retries)
            .Bind("@now", commit.NowMs)
            .Bind("@lease_until", commit.LeaseUntilMs)
            .Bind("@id", commit.JobId)
            .Bind("@version", commit.ExpectedVersion)
            .Bind("@owner", commit.Owner)
            .ExecuteNonQuery();
        if (updated != 1)
        {
            return false;
        }

        if (commit.ConsumedWaits)
        {
            Commands.Get(SqliteSql.ConsumeWaits, tx).Bind("@id", commit.JobId).ExecuteNonQuery();
        }

        foreach (var entry in commit.Events)
        {
            InsertEvent(entry, tx);
        }

        return true;
    }
}
