namespace Envoy.AspNetCore.Json;

/// <summary>The body of an error answer (for the OpenAPI document and clients): RFC 7807 with Envoy's <c>code</c>.</summary>
/// <param name="Type">A URI for the problem type.</param>
/// <param name="Title">A short summary of the status.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What went wrong, naming the id or field.</param>
/// <param name="Code">The stable reason (<c>job_not_found</c>, ...).</param>
public sealed record ProblemJson(string? Type, string Title, int Status, string Detail, string Code);
