using System.Net;
using DnsClient;

namespace Berth.Core.Domains.Verification;

/// <summary>
/// TXT lookups with DnsClient.NET: at the resolver the operator named (<c>--dns-resolver</c>), else the
/// system's. No cache: a record the owner just created is seen on the next check (a "check now" that
/// answers from a cache would tell them to wait for nothing).
/// </summary>
public sealed class DnsTxtLookup : IDnsTxtLookup
{
    private readonly LookupClient _client;

    public DnsTxtLookup(DomainsOptions options)
    {
        var settings = options.DnsResolver is { } resolver ? new LookupClientOptions(resolver) : new LookupClientOptions();
        settings.UseCache = false;
        settings.Timeout = TimeSpan.FromSeconds(3);
        settings.Retries = 1;
        settings.ThrowDnsErrors = false;
        settings.ContinueOnDnsError = false;
        _client = new LookupClient(settings);
    }

    public async Task<TxtAnswer> LookupAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, cancellationToken);
            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                return new TxtAnswer([], $"The DNS lookup of {name} failed: {response.ErrorMessage}.");
            }

            return new TxtAnswer(response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList(), null);
        }
        catch (DnsResponseException e)
        {
            return new TxtAnswer([], $"The DNS lookup of {name} failed: {e.Message}");
        }
    }

    /// <summary>Parses <c>HOST:PORT</c> (an IP address; port 53 when left out) for <c>--dns-resolver</c>.</summary>
    public static bool TryParseResolver(string text, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (IPEndPoint.TryParse(text.Trim(), out var parsed))
        {
            endPoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
            return true;
        }

        return false;
    }
}
