namespace Xref.Wire;

/// <summary>
/// Thrown anywhere in request handling to answer with the contract's error body.
/// The error-handling middleware turns it into the response; nothing has been written when it is thrown.
/// </summary>
public sealed class ApiException(int status, IReadOnlyList<ApiError> errors, TimeSpan? retryAfter = null)
    : Exception(errors.Count > 0 ? errors[0].Message : "error")
{
    public int Status { get; } = status;
    public IReadOnlyList<ApiError> Errors { get; } = errors;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public const string NotFoundMessage = "Record not found";
    public const string ServerErrorMessage = "A server error has occurred.";

    public static ApiException NotFound() => new(404, [ApiError.System(NotFoundMessage)]);
    public static ApiException Unauthorized() => new(401, [new ApiError("oauth", "Invalid OAuth 2 Request")]);
    public static ApiException Forbidden(string message) => new(403, [ApiError.System(message)]);
    public static ApiException BadBody(string message) => new(400, [ApiError.System(message)]);
    public static ApiException BadParameter(string field, string message) => new(400, [ApiError.Validation(field, message)]);
    /// <summary>At most this many validation errors are listed; one more entry says how many were left out.</summary>
    public const int MaxListedErrors = 100;

    public static ApiException Invalid(IReadOnlyList<ApiError> errors) => new(422, errors.Count <= MaxListedErrors ? errors :
        [.. errors.Take(MaxListedErrors), new ApiError("validation", $"{errors.Count - MaxListedErrors} more errors are not listed; fix these and send the request again.")]);
    public static ApiException Invalid(string field, string message) => new(422, [ApiError.Validation(field, message)]);
    public static ApiException Unavailable(string message) => new(503, [ApiError.System(message)], TimeSpan.FromSeconds(5));
}
