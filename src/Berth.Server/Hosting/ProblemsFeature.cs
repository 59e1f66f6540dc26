using System.Text.Json;
using Berth.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;

namespace Berth.Server.Hosting;

/// <summary>
/// The one mapping point from failures to RFC 7807 problem details. Every error body carries a
/// stable <c>code</c> and a human <c>detail</c>; nothing the caller sent produces a 500.
/// </summary>
internal static class ProblemsFeature
{
    public static IServiceCollection AddBerthProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (!problem.Extensions.ContainsKey("code"))
            {
                problem.Extensions["code"] = CodeForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        services.AddExceptionHandler<BerthExceptionHandler>();
        // Malformed requests become exceptions that the handler maps to 400s with a reason,
        // instead of bare 400s with no body.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(options => options.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
        return services;
    }

    public static string CodeForStatus(int status) => status switch
    {
        400 => "BAD_REQUEST",
        401 => "UNAUTHENTICATED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        413 => "BODY_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        429 => "TOO_MANY_ATTEMPTS",
        503 => "UNAVAILABLE",
        507 => "INSUFFICIENT_STORAGE",
        _ => status >= 500 ? "INTERNAL_ERROR" : "REQUEST_FAILED",
    };

    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorKind.InsufficientStorage => StatusCodes.Status507InsufficientStorage,
        _ => StatusCodes.Status503ServiceUnavailable,
    };
}

internal sealed partial class BerthExceptionHandler(IProblemDetailsService problems, Berth.Core.Data.DatabaseProvider database, ILogger<BerthExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BerthException e => (ProblemsFeature.StatusFor(e.Kind), e.Code, e.Message),
            BadHttpRequestException { InnerException: JsonException json } => (400, "INVALID_JSON", Describe(json)),
            BadHttpRequestException e when e.StatusCode == 413 => (413, "BODY_TOO_LARGE", "The request body is too large."),
            BadHttpRequestException e => (e.StatusCode, ProblemsFeature.CodeForStatus(e.StatusCode), e.Message),
            JsonException json => (400, "INVALID_JSON", Describe(json)),
            _ when database.IsUnavailable(exception) => (503, "DATABASE_UNAVAILABLE", "The database does not answer right now; try again in a moment."),
            _ when database.IsStorageFull(exception) => (507, "STORAGE_FULL", "The platform's disk is full, so nothing was saved. Try again once an administrator has freed space."),
            _ => (500, "INTERNAL_ERROR", "Something went wrong on our side; it has been logged."),
        };

        if (status == 503 && exception is not BerthException)
        {
            LogDatabaseUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, database.Location, exception.Message);
        }
        else if (status == 507)
        {
            LogStorageFull(logger, httpContext.Request.Method, httpContext.Request.Path, database.Location);
        }
        else if (status >= 500)
        {
            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }

        if (exception is BerthException { RetryAfter: { } retryAfter })
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        httpContext.Response.StatusCode = status;
        var context = new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = ReasonPhrase(status),
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        };
        if (exception is BerthException { Reason: { } reason })
        {
            context.ProblemDetails.Extensions["reason"] = reason;
        }

        if (exception is BerthException { Extensions: { } extensions })
        {
            foreach (var (key, value) in extensions)
            {
                context.ProblemDetails.Extensions[key] = value;
            }
        }

        return await problems.TryWriteAsync(context);
    }

    private static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"The request body is not valid JSON for this endpoint (at {path})." : "The request body is not valid JSON for this endpoint.";

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Method} {Path} refused: the database at {Location} does not answer ({Reason})")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string method, string path, string location, string reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "{Method} {Path} refused: the disk of the database at {Location} is full")]
    private static partial void LogStorageFull(ILogger logger, string method, string path, string location);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
