using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Rapport.Http;

/// <summary>RFC 7807 replies that say what was wrong and how to fix it.</summary>
internal static class Problems
{
    public static ProblemHttpResult BadRequest(string title, string detail, object? errors = null) =>
        Make(StatusCodes.Status400BadRequest, title, detail, errors);

    public static ProblemHttpResult NotFound(string detail) => Make(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult Conflict(string detail) => Make(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ProblemHttpResult TooLarge(string detail) => Make(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    public static ProblemHttpResult Make(int status, string title, string detail, object? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return TypedResults.Problem(problem);
    }
}
