namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>The limits that keep one job from harming others: <see cref="SchedulerOptions.MaxAttempts"/> and <see cref="SchedulerOptions.MaxContextBytes"/>.</summary>
public sealed class LimitsConfigTests
{
    [Fact]
    public void Config_Defaults_AreTenAttemptsAndOneMebibyte_AndAreCopiedByClone()
    {
        var config = new SchedulerConfig();

        Assert.Equal(10, config.MaxAttempts);
        Assert.Equal(1_048_576, config.MaxContextBytes);
        Assert.Equal(SchedulerConfig.DefaultMaxContextBytes, config.MaxContextBytes);
        var copy = new SchedulerConfig { MaxAttempts = 4, MaxContextBytes = 5_000 }.Clone();
        Assert.Equal(4, copy.MaxAttempts);
        Assert.Equal(5_000, copy.MaxContextBytes);
    }

    [Fact]
    public void Config_RefusesMaxAttemptsBelowOne_AndMaxContextBytesNotPositive()
    {
        var errors = new SchedulerConfig { MaxAttempts = 0, MaxContextBytes = 0 }.Validate();

        Assert.Contains(errors, e => e.Contains("MaxAttempts must be at least 1 (was 0)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxContextBytes must be positive (was 0)", StringComparison.Ordinal));
        Assert.Empty(new SchedulerConfig { MaxAttempts = 1, MaxContextBytes = 1 }.Validate());
    }

    [Fact]
    public void ContextTooLargeException_CarriesTheSizeTheLimitAndThePath()
    {
        var error = new ContextTooLargeException("input", 2_000_000, 1_048_576);

        Assert.IsAssignableFrom<EnvoyException>(error);
        Assert.IsAssignableFrom<ContextValueException>(error);
        Assert.Equal(2_000_000, error.Bytes);
        Assert.Equal(1_048_576, error.MaxBytes);
        Assert.Equal("input", error.Path);
        Assert.Contains("2,000,000", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxContextBytes (1,048,576)", error.Message, StringComparison.Ordinal);
    }
}
