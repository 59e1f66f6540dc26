using Berth.Core.Accounts;

namespace Berth.Server.Api.Contracts;

public sealed record RegistrationCodeResponse(string Code, DateTimeOffset ValidUntil)
{
    public static RegistrationCodeResponse From(RegistrationCode code) =>
        new(code.Code, DateTimeOffset.FromUnixTimeSeconds(code.ValidUntil));
}
