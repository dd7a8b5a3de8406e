using Microsoft.Extensions.Options;

namespace Envoy;

/// <summary>Validates <see cref="SchedulerConfig"/> at host start, listing every problem.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class SchedulerConfigValidator : IValidateOptions<SchedulerConfig>
{
    public ValidateOptionsResult Validate(string? name, SchedulerConfig options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
