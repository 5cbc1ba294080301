// MSAL.NET's own refresh-token exchange (the engine of New-PartnerAccessToken), for benchmarks B2
// and B5. Compiled against Microsoft.Identity.Client 4.92.0: by benchmarks/pwsh_bench.ps1 with
// Add-Type (B2), and once into a DLL that B5's cold runbooks load (benchmarks/run.py), as a script
// module ships its compiled helper.
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

        // B5's runbook: the stored refresh token read from a file, redeemed once, and MSAL.NET's token
        // cache (which now holds the rotated refresh token) written back to a file, as a runbook keeps
        // what the next run needs.
        public static AuthenticationResult RedeemStored(string clientId, string authority, string caBundlePath,
                                                        string[] scopes, string refreshTokenPath, string cachePath)
        {
            IPublicClientApplication app = Build(clientId, authority, caBundlePath);
            app.UserTokenCache.SetAfterAccess(args =>
            {
                if (args.HasStateChanged)
                {
                    System.IO.File.WriteAllBytes(cachePath, args.TokenCache.SerializeMsalV3());
                }
            });
            return Redeem(app, scopes, System.IO.File.ReadAllText(refreshTokenPath).Trim());
        }
    }
}
