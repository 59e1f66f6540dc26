using System.Security.Claims;
using Berth.Core.Accounts.Tokens;
using Berth.Core.Errors;
using Berth.Core.Files;
using Berth.Server.Api.Contracts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Api;

/// <summary>
/// The file manager over a server's <c>/apps</c> (docs/files.md). Paths are relative to
/// <c>/apps</c>; another user's server answers 404 like a missing one on every route.
/// </summary>
internal static class FilesEndpoints
{
    public static IEndpointRouteBuilder MapFilesEndpoints(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/api/servers/{id:long}/files").WithTags("Files").RequireAuthorization(AuthenticationFeature.UserPolicy)
            .RequireTokenScope(ApiTokenScopes.Servers)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        files.MapGet("", ListAsync).WithName("ListFiles")
            .WithSummary("Lists a folder of /apps (paged: offset, limit).");
        files.MapGet("/content", DownloadAsync).WithName("DownloadFile")
            .WithSummary("Downloads a file (Range supported) or a folder as a tar archive, streamed.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream");
        files.MapPut("/content", UploadAsync).WithName("UploadFile")
            .WithSummary("Uploads the raw request body (any content type, e.g. application/octet-stream) as one file, replacing the file there only when complete.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status507InsufficientStorage);
        files.MapGet("/text", ReadTextAsync).WithName("ReadTextFile")
            .WithSummary("Opens a UTF-8 text file for the editor, with its version.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        files.MapPut("/text", SaveTextAsync).WithName("SaveTextFile")
            .WithSummary("Saves a text file if it still has the version it was opened at (409 otherwise).")
            .Accepts<SaveTextRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status507InsufficientStorage);
        files.MapPost("/folder", CreateFolderAsync).WithName("CreateFolder")
            .WithSummary("Creates an empty folder.").ProducesProblem(StatusCodes.Status409Conflict);
        files.MapPost("/file", CreateFileAsync).WithName("CreateFile")
            .WithSummary("Creates an empty file.").ProducesProblem(StatusCodes.Status409Conflict);
        files.MapPost("/move", MoveAsync).WithName("MoveFile")
            .WithSummary("Renames or moves a file or folder inside /apps; never replaces what is at the target.").ProducesProblem(StatusCodes.Status409Conflict);
        files.MapPost("/delete", DeleteAsync).WithName("DeleteFile")
            .WithSummary("Deletes a file, a link (not its target) or a folder with everything in it.").ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Ok<FolderResponse>> ListAsync(long id, string? path, int? offset, int? limit, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        var page = await files.ListAsync(principal.UserId(), IsAdmin(principal), id, path, offset ?? 0, limit, cancellationToken);
        return TypedResults.Ok(new FolderResponse(page.Path, page.Total, page.Offset, page.Entries.Select(FileEntryResponse.From).ToList()));
    }

    private static async Task<IResult> DownloadAsync(long id, string? path, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        var (userId, admin) = (principal.UserId(), IsAdmin(principal));
        var file = await files.OpenFileAsync(userId, admin, id, path, cancellationToken);
        if (file is not null)
        {
            // Always a download, never rendered: the tenant's HTML must not run on the panel's origin.
            return TypedResults.Stream(file.Content, "application/octet-stream", file.Name, file.Modified, new EntityTagHeaderValue($"\"{file.Version}\""), enableRangeProcessing: true);
        }

        var name = AppsPath.Parse(path) is { IsRoot: false } folder ? folder.Name : "apps";
        return TypedResults.Stream(
            output => files.WriteArchiveAsync(userId, admin, id, path, output, cancellationToken),
            "application/x-tar",
            name + ".tar");
    }

    private static async Task<IResult> UploadAsync(long id, string? path, HttpContext context, ClaimsPrincipal principal, FilesService files)
    {
        // The API's 1 MiB body limit is for JSON; an upload is bounded by Berth:Files:MaxUploadSize,
        // counted while streaming so that the refusal is a clean 413 with nothing left behind.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        try
        {
            var entry = await files.UploadAsync(principal.UserId(), IsAdmin(principal), id, path, context.Request.Body, context.Request.ContentLength, context.RequestAborted);
            return TypedResults.Ok(FileEntryResponse.From(entry));
        }
        catch (Exception e) when (e is not BerthException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-upload: the unnamed file is gone with its descriptor.
            return TypedResults.Empty;
        }
    }

    private static async Task<Ok<TextFileResponse>> ReadTextAsync(long id, string? path, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken) =>
        TypedResults.Ok(TextFileResponse.From(await files.ReadTextAsync(principal.UserId(), IsAdmin(principal), id, path, cancellationToken)));

    private static async Task<Ok<TextFileResponse>> SaveTextAsync(long id, string? path, HttpContext context, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        // Text up to MaxTextSize, escaped in JSON (up to 6 bytes a character for control characters).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = (files.Options.MaxTextSize * 6) + (64 * 1024);
        }

        if (!context.Request.HasJsonContentType())
        {
            throw new BerthException(ErrorKind.UnsupportedMediaType, "JSON_REQUIRED", "Send the text as JSON: {\"content\": \"…\", \"version\": \"…\"}.");
        }

        var request = await context.Request.ReadFromJsonAsync<SaveTextRequest>(cancellationToken)
            ?? throw BerthException.Invalid("MISSING_FIELD", "The field 'content' is required.");
        var saved = await files.SaveTextAsync(principal.UserId(), IsAdmin(principal), id, path, Fields.Required(request.Content, "content"), request.Version, cancellationToken);
        return TypedResults.Ok(TextFileResponse.From(saved));
    }

    private static async Task<Created<FileEntryResponse>> CreateFolderAsync(long id, FilePathRequest request, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        var path = Fields.Required(request.Path, "path");
        var entry = await files.CreateFolderAsync(principal.UserId(), IsAdmin(principal), id, path, cancellationToken);
        return TypedResults.Created(Location(id, path), FileEntryResponse.From(entry));
    }

    private static async Task<Created<FileEntryResponse>> CreateFileAsync(long id, FilePathRequest request, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        var path = Fields.Required(request.Path, "path");
        var entry = await files.CreateFileAsync(principal.UserId(), IsAdmin(principal), id, path, cancellationToken);
        return TypedResults.Created(Location(id, path), FileEntryResponse.From(entry));
    }

    private static async Task<Ok<FileEntryResponse>> MoveAsync(long id, MoveFileRequest request, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        var entry = await files.MoveAsync(principal.UserId(), IsAdmin(principal), id, Fields.Required(request.From, "from"), Fields.Required(request.To, "to"), cancellationToken);
        return TypedResults.Ok(FileEntryResponse.From(entry));
    }

    private static async Task<NoContent> DeleteAsync(long id, FilePathRequest request, ClaimsPrincipal principal, FilesService files, CancellationToken cancellationToken)
    {
        await files.DeleteAsync(principal.UserId(), IsAdmin(principal), id, Fields.Required(request.Path, "path"), cancellationToken);
        return TypedResults.NoContent();
    }

    private static string Location(long id, string path) => $"/api/servers/{id}/files?path={Uri.EscapeDataString(AppsPath.Parse(path).ToString())}";

    private static bool IsAdmin(ClaimsPrincipal principal) => principal.IsInRole(CurrentUser.AdminRole);
}
