using Microsoft.Extensions.Time.Testing;

namespace Berth.Acme.Tests;

public sealed class RenewalAndBackoffTests
{
    private static readonly DateTimeOffset Issued = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RenewAt_NinetyDayCertificate_IsDaySixty()
    {
        Assert.Equal(Issued.AddDays(60), CertificateRenewal.RenewAt(Issued, Issued.AddDays(90)));
    }

    [Fact]
    public void IsDue_BeforeAndAfterTheLastThird_FollowsTheClock()
    {
        var time = new FakeTimeProvider(Issued);
        var notAfter = Issued.AddDays(90);

        time.Advance(TimeSpan.FromDays(59));
        Assert.False(CertificateRenewal.IsDue(Issued, notAfter, time));
        time.Advance(TimeSpan.FromDays(1));
        Assert.True(CertificateRenewal.IsDue(Issued, notAfter, time));
    }

    [Fact]
    public void IsDue_ShortLivedCertificate_RenewsAtTwoThirds()
    {
        var time = new FakeTimeProvider(Issued);
        var notAfter = Issued.AddHours(6);

        time.Advance(TimeSpan.FromHours(3.9));
        Assert.False(CertificateRenewal.IsDue(Issued, notAfter, time));
        time.Advance(TimeSpan.FromHours(0.1));
        Assert.True(CertificateRenewal.IsDue(Issued, notAfter, time));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(5, 80)]
    [InlineData(9, 1280)]
    [InlineData(10, 1440)]
    [InlineData(1000, 1440)]
    public void Delay_ConsecutiveFailures_DoublesUpToADay(int failures, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), RetryBackoff.Delay(failures, RetryBackoff.DefaultInitial, RetryBackoff.DefaultMaximum));
    }

    [Fact]
    public void NextAttemptAt_ServerAskedForLonger_WaitsForTheServer()
    {
        Assert.Equal(Issued.AddHours(2), RetryBackoff.NextAttemptAt(Issued, 1, retryAfter: TimeSpan.FromHours(2)));
        Assert.Equal(Issued.AddMinutes(10), RetryBackoff.NextAttemptAt(Issued, 2, retryAfter: TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void IsAttemptDue_AfterTheBackoff_FollowsTheClock()
    {
        var time = new FakeTimeProvider(Issued);
        var next = RetryBackoff.NextAttemptAt(time.GetUtcNow(), failures: 3);

        time.Advance(TimeSpan.FromMinutes(19));
        Assert.False(RetryBackoff.IsAttemptDue(next, time));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(RetryBackoff.IsAttemptDue(next, time));
    }

    [Fact]
    public void Delay_NoFailures_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackoff.Delay(0, RetryBackoff.DefaultInitial, RetryBackoff.DefaultMaximum));
    }

    [Fact]
    public void OrderRateLimiter_FullWindow_RefusesUntilTheOldestOrderAges()
    {
        var time = new FakeTimeProvider(Issued);
        var limiter = new OrderRateLimiter(2, TimeSpan.FromHours(3), time);

        Assert.True(limiter.TryAcquire(out _));
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out var retryAfter));
        Assert.Equal(TimeSpan.FromHours(2), retryAfter);

        time.Advance(TimeSpan.FromHours(2));
        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
    }

    [Fact]
    public async Task IssueCertificate_PastTheClientOrderLimit_IsRateLimitedWithoutAskingTheServer()
    {
        var time = new FakeTimeProvider(Issued);
        using var http = new HttpClient();
        using var key = AcmeAccountKey.Generate();
        var client = new AcmeClient(http, new Uri("https://127.0.0.1:9/dir"), key, new AcmeClientOptions { MaxOrdersPerWindow = 1 }, time);
        client.Transport.AccountUrl = new Uri("https://127.0.0.1:9/acct/1");
        Assert.True(client.OrderLimit.TryAcquire(out _));

        var failure = await Assert.ThrowsAsync<AcmeException>(() => client.IssueCertificateAsync(["a.example.com"], new InMemoryHttp01ChallengeStore()));

        Assert.Equal(AcmeErrorTypes.RateLimited, failure.ErrorType);
        Assert.Equal(TimeSpan.FromHours(3), failure.RetryAfter);
    }
}
