using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore;

/// <summary>Validates <see cref="EnvoyServerOptions"/> at start, listing every problem.</summary>
internal sealed class EnvoyServerOptionsValidator : IValidateOptions<EnvoyServerOptions>
{
    public ValidateOptionsResult Validate(string? name, EnvoyServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
