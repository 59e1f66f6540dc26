using Berth.Server.Hosting;
using Berth.Server.Tests.Edge;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// The edge fixture (Alice's and Bob's running servers with a page on port 80) with its plain HTTP
/// listener where Pebble validates HTTP-01, and Pebble as the certificate authority.
/// </summary>
public sealed class CertificatesFixture : EdgeFixture
{
    public TestCa Ca { get; } = TestCa.Standard;

    protected override ServeSettings Configure(ServeSettings settings) => Ca.Configure(settings);
}
