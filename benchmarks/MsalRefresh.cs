// MSAL.NET's own refresh-token exchange (the engine of New-PartnerAccessToken), for benchmark B2.
// Compiled by benchmarks/pwsh_bench.ps1 with Add-Type against Microsoft.Identity.Client 4.92.0.
//
// The emulator's certificate is issued by its own CA: the HttpClient trusts that CA and nothing else
// for the emulator (a custom root trust chain build), so TLS is verified as it is for sam-bridge,
// not skipped.
using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Identity.Client;

namespace SamBridgeBench
{
    public sealed class EmulatorHttpClientFactory : IMsalHttpClientFactory
    {
        private readonly HttpClient _client;

        public EmulatorHttpClientFactory(string caBundlePath)
        {
            X509Certificate2 ca = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(caBundlePath));
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                // A name mismatch or a missing certificate stays fatal; only the chain is judged
                // against the emulator's CA instead of the machine's roots.
                if (certificate == null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }
                using (var custom = new X509Chain())
                {
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.Add(ca);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return custom.Build(new X509Certificate2(certificate));
                }
            };
            _client = new HttpClient(handler);
        }

        public HttpClient GetHttpClient()
        {
            return _client;
        }
    }

    public static class MsalRefresh
    {
        // A public client on the emulator's authority, with authority validation and instance
        // discovery off (the emulator is not one of Microsoft's clouds), as one would point
        // New-PartnerAccessToken's MSAL at a private authority.
        public static IPublicClientApplication Build(string clientId, string authority, string caBundlePath)
        {
            return PublicClientApplicationBuilder.Create(clientId)
                .WithAuthority(authority, false)
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(new EmulatorHttpClientFactory(caBundlePath))
                .Build();
        }

        // One refresh-token redemption: always a request to the token endpoint.
        public static AuthenticationResult Redeem(IPublicClientApplication app, string[] scopes, string refreshToken)
        {
            return ((IByRefreshToken)app).AcquireTokenByRefreshToken(scopes, refreshToken).ExecuteAsync().GetAwaiter().GetResult();
        }
    }
}
