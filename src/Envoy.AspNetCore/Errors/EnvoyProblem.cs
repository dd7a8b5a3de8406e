using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Envoy.AspNetCore.Errors;

/// <summary>An RFC 7807 problem of Envoy's API: status, title, a human detail naming the offending id or field, and a <c>code</c>.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Code">The stable reason (<see cref="EnvoyProblemCodes"/>).</param>
/// <param name="Detail">What went wrong, naming the id or field.</param>
public sealed record EnvoyProblem(int Status, string Code, string Detail)
{
    /// <summary>The short, human summary of <see cref="Status"/>.</summary>
    public string Title => Status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "Body too large",
        StatusCodes.Status503ServiceUnavailable => "Service unavailable",
        _ => "Error",
    };

    /// <summary><c>400</c> <c>invalid_body</c>.</summary>
    public static EnvoyProblem InvalidBody(string detail) => new(StatusCodes.Status400BadRequest, EnvoyProblemCodes.InvalidBody, detail);

    /// <summary><c>400</c> <c>invalid_query</c>.</summary>
    public static EnvoyProblem InvalidQuery(string detail) => new(StatusCodes.Status400BadRequest, EnvoyProblemCodes.InvalidQuery, detail);

    /// <summary><c>401</c> <c>unauthorized</c>.</summary>
    public static EnvoyProblem Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, EnvoyProblemCodes.Unauthorized, detail);

    /// <summary><c>403</c> <c>forbidden</c>.</summary>
    public static EnvoyProblem Forbidden(string detail) => new(StatusCodes.Status403Forbidden, EnvoyProblemCodes.Forbidden, detail);

    /// <summary><c>413</c> <c>body_too_large</c>.</summary>
    public static EnvoyProblem BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, EnvoyProblemCodes.BodyTooLarge, $"The request body is larger than the server's limit of {limit} bytes (Envoy:Server:MaxBodyBytes).");

    /// <summary><c>503</c> <c>store_unavailable</c>: the request's store work did not finish within <paramref name="timeout"/>.</summary>
    public static EnvoyProblem StoreUnavailable(TimeSpan timeout) =>
        new(StatusCodes.Status503ServiceUnavailable, EnvoyProblemCodes.StoreUnavailable, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The store did not answer within {timeout.TotalSeconds:0.###} s (Envoy:Server:RequestTimeout); it may be down or overloaded. Nothing was changed unless the request had committed."));

    /// <summary>The problem as a typed result (<c>application/problem+json</c>).</summary>
    public ProblemHttpResult ToResult() =>
        TypedResults.Problem(detail: Detail, statusCode: Status, title: Title, extensions: new Dictionary<string, object?> { ["code"] = Code });
}
