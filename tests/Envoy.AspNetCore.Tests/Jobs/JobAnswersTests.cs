using Envoy.AspNetCore.Endpoints.Jobs;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>When the jobs routes may skip reading a job's history to count its retries.</summary>
public sealed class JobAnswersTests
{
    [Theory]
    [InlineData(1, JobStatus.Done, 0, false)]
    [InlineData(1, JobStatus.Running, 0, false)]
    [InlineData(2, JobStatus.Done, 0, true)] // a second claim: a retry (or a takeover) happened
    [InlineData(1, JobStatus.Done, 1, true)]
    [InlineData(1, JobStatus.Blocking, 0, true)] // a retry by hand of a job with a pending wait is blocking at once
    [InlineData(1, JobStatus.Pending, 0, true)] // a retry by hand leaves it pending before its next claim
    [InlineData(1, JobStatus.Cancelled, 0, true)] // cancelled after a retry by hand, before running again
    [InlineData(1, JobStatus.Failed, 0, true)]
    [InlineData(0, JobStatus.Pending, 0, true)] // a job cancelled before it ran, then retried, was never claimed
    public void Only_a_job_running_or_done_after_one_claim_certainly_had_no_retry(int attempts, JobStatus status, int retries, bool mayHave)
    {
        var job = new Job { Id = "j", Flow = "f", Status = status, Context = new StateContext("S"), Attempts = attempts, Retries = retries };

        Assert.Equal(mayHave, JobAnswers.MayHaveBeenRetried(job));
    }
}
