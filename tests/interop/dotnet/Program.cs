// The interop suite's .NET driver: runs one scenario with MSAL.NET or Azure.Identity against the emulator.
//
// Protocol (driven by tests/interop/_drivers.py): the scenario is one JSON line on stdin; the driver
// writes JSON lines (events) to stdout. After each event but "device_code" it waits for one line on
// stdin: after "auth_url"/"need_code" that line is the redirect URL the browser ended on, otherwise it
// just means "go on" (the test may move the emulator's clock in between). The CA is
// trusted through SSL_CERT_FILE, as a user of the emulator would do it.
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Identity;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;
using Microsoft.Identity.Client.Extensibility;

var scenario = JsonNode.Parse(Console.ReadLine() ?? "{}")!.AsObject();
try
{
    if (Str(scenario, "library") == "msal")
        await Msal.Run(scenario);
    else
        await AzureIdentity.Run(scenario);
}
catch (Exception ex)
{
    Events.Error(ex);
}

static string Str(JsonObject o, string name) => o[name]?.GetValue<string>() ?? "";

static class Events
{
    public static string Emit(object value, bool wait = true)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value));
        Console.Out.Flush();
        return wait ? Console.ReadLine() ?? "" : "";
    }

    public static void Token(string step, string accessToken, string? tenant, string? account, string? source)
        => Emit(new Dictionary<string, object?>
        {
            ["event"] = "token", ["step"] = step, ["access_token"] = accessToken,
            ["tenant"] = tenant, ["account"] = account, ["source"] = source,
        });

    public static void Error(Exception ex)
    {
        // What each library shows its user: the exception class, its code, classification (MSAL's view of
        // the suberror), correlation id, and the message; Azure.Identity wraps MSAL's exception.
        var body = new Dictionary<string, object?>
        {
            ["event"] = "error", ["type"] = ex.GetType().FullName, ["message"] = ex.Message,
        };
        var msal = ex as MsalException ?? ex.InnerException as MsalException;
        if (msal != null)
        {
            body["msal_type"] = msal.GetType().FullName;
            body["error_code"] = msal.ErrorCode;
            body["correlation_id"] = msal.CorrelationId;
            body["msal_message"] = msal.Message;
        }
        if (msal is MsalServiceException service)
        {
            body["status"] = service.StatusCode;
            body["response_body"] = service.ResponseBody;
        }
        if (msal is MsalUiRequiredException ui)
            body["classification"] = ui.Classification.ToString();
        Emit(body);
    }
}

/// <summary>MSAL.NET's custom web UI: the test plays the browser and hands back the final redirect URL.</summary>
sealed class TestBrowser : ICustomWebUi
{
    public Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
        => Task.FromResult(new Uri(Events.Emit(new Dictionary<string, object?>
        {
            ["event"] = "auth_url", ["url"] = authorizationUri.ToString(), ["redirect_uri"] = redirectUri.ToString(),
        })));
}

static class Msal
{
    public static async Task Run(JsonObject s)
    {
        var authority = $"{S(s, "authority_host")}/{S(s, "tenant")}";
        string[] scopes = Scopes(s);
        if (s["flow"]!.GetValue<string>() == "client_credentials")
        {
            var builder = ConfidentialClientApplicationBuilder.Create(S(s, "client_id"))
                .WithAuthority(authority).WithInstanceDiscovery(false);
            if (s["client_secret"] != null)
                builder = builder.WithClientSecret(S(s, "client_secret"));
            else
                builder = builder.WithCertificate(
                    X509Certificate2.CreateFromPemFile(S(s, "certificate_file"), S(s, "key_file")),
                    new CertificateOptions { SendX5C = s["send_x5c"]?.GetValue<bool>() ?? false });
            var result = await builder.Build().AcquireTokenForClient(scopes).ExecuteAsync();
            Events.Token("client_credentials", result.AccessToken, result.TenantId, null, result.AuthenticationResultMetadata.TokenSource.ToString());
            return;
        }
        var app = PublicClientApplicationBuilder.Create(S(s, "client_id"))
            .WithAuthority(authority).WithInstanceDiscovery(false).WithRedirectUri("http://localhost")
            .WithLogging((level, message, _) => Console.Error.WriteLine($"msal {level}: {message}"), LogLevel.Info, enablePiiLogging: false)
            .Build();
        AuthenticationResult login;
        switch (S(s, "flow"))
        {
            case "device_code":
                login = await app.AcquireTokenWithDeviceCode(scopes, code =>
                {
                    Events.Emit(new Dictionary<string, object?>
                    {
                        ["event"] = "device_code", ["user_code"] = code.UserCode,
                        ["verification_url"] = code.VerificationUrl, ["message"] = code.Message,
                    }, wait: false);
                    return Task.CompletedTask;
                }).ExecuteAsync();
                break;
            case "auth_code":
                login = await app.AcquireTokenInteractive(scopes).WithCustomWebUi(new TestBrowser()).ExecuteAsync();
                break;
            case "refresh_token":
                login = await ((IByRefreshToken)app).AcquireTokenByRefreshToken(scopes, S(s, "refresh_token")).ExecuteAsync();
                break;
            default:
                throw new ArgumentException($"unknown flow {S(s, "flow")}");
        }
        Events.Token(S(s, "flow"), login.AccessToken, login.TenantId, login.Account?.Username, login.AuthenticationResultMetadata.TokenSource.ToString());
        foreach (var step in s["then"]?.AsArray() ?? new JsonArray())
        {
            var o = step!.AsObject();
            var account = (await app.GetAccountsAsync()).First();
            var silent = app.AcquireTokenSilent(Scopes(o), account).WithForceRefresh(o["force_refresh"]?.GetValue<bool>() ?? false);
            if (o["tenant"] != null)
                silent = silent.WithTenantId(S(o, "tenant"));
            try
            {
                var r = await silent.ExecuteAsync();
                Events.Token("silent", r.AccessToken, r.TenantId, r.Account?.Username, r.AuthenticationResultMetadata.TokenSource.ToString());
            }
            catch (MsalException ex)
            {
                Events.Error(ex);
            }
        }
    }

    static string S(JsonObject o, string name) => o[name]?.GetValue<string>() ?? "";

    public static string[] Scopes(JsonObject o) => o["scopes"]!.AsArray().Select(x => x!.GetValue<string>()).ToArray();
}

static class AzureIdentity
{
    public static async Task Run(JsonObject s)
    {
        var host = new Uri(S(s, "authority_host"));
        TokenCredential credential;
        switch (S(s, "flow"))
        {
            case "client_credentials" when s["client_secret"] != null:
                credential = new ClientSecretCredential(S(s, "tenant"), S(s, "client_id"), S(s, "client_secret"),
                    new ClientSecretCredentialOptions { AuthorityHost = host, DisableInstanceDiscovery = true });
                break;
            case "client_credentials":
                credential = new ClientCertificateCredential(S(s, "tenant"), S(s, "client_id"),
                    X509Certificate2.CreateFromPemFile(S(s, "certificate_file"), S(s, "key_file")),
                    new ClientCertificateCredentialOptions
                    {
                        AuthorityHost = host, DisableInstanceDiscovery = true,
                        SendCertificateChain = s["send_x5c"]?.GetValue<bool>() ?? false,
                    });
                break;
            case "device_code":
                // Unattended code wants an error, not a new prompt, when silent renewal fails: it signs
                // in once with AuthenticateAsync and turns automatic authentication off.
                var options = new DeviceCodeCredentialOptions
                {
                    AuthorityHost = host, DisableInstanceDiscovery = true, ClientId = S(s, "client_id"),
                    TenantId = S(s, "tenant"), DisableAutomaticAuthentication = true,
                    DeviceCodeCallback = (code, _) =>
                    {
                        Events.Emit(new Dictionary<string, object?>
                        {
                            ["event"] = "device_code", ["user_code"] = code.UserCode,
                            ["verification_url"] = code.VerificationUri.ToString(), ["message"] = code.Message,
                        }, wait: false);
                        return Task.CompletedTask;
                    },
                };
                options.AdditionallyAllowedTenants.Add("*");
                credential = new DeviceCodeCredential(options);
                break;
            case "browser":
                // The system browser (xdg-open) and MSAL's loopback listener; MSAL adds PKCE.
                var browserOptions = new InteractiveBrowserCredentialOptions
                {
                    AuthorityHost = host, DisableInstanceDiscovery = true, ClientId = S(s, "client_id"),
                    TenantId = S(s, "tenant"), RedirectUri = new Uri("http://localhost"),
                };
                browserOptions.AdditionallyAllowedTenants.Add("*");
                credential = new InteractiveBrowserCredential(browserOptions);
                break;
            case "auth_code":
                // Azure.Identity's AuthorizationCodeCredential redeems a code the app got itself (no PKCE:
                // the credential takes no verifier); the test drives the sign-in pages for it.
                var url = Events.Emit(new Dictionary<string, object?> { ["event"] = "need_code" });
                var query = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query);
                var codeOptions = new AuthorizationCodeCredentialOptions
                {
                    AuthorityHost = host, DisableInstanceDiscovery = true, RedirectUri = new Uri(S(s, "redirect_uri")),
                };
                codeOptions.AdditionallyAllowedTenants.Add("*");
                credential = new AuthorizationCodeCredential(S(s, "tenant"), S(s, "client_id"), S(s, "client_secret"),
                    query["code"]!, codeOptions);
                break;
            default:
                throw new ArgumentException($"unknown flow {S(s, "flow")}");
        }
        if (credential is DeviceCodeCredential deviceCode)
            await deviceCode.AuthenticateAsync(new TokenRequestContext(Msal.Scopes(s)));
        var first = await credential.GetTokenAsync(new TokenRequestContext(Msal.Scopes(s)), default);
        Events.Token(S(s, "flow"), first.Token, null, null, null);
        foreach (var step in s["then"]?.AsArray() ?? new JsonArray())
        {
            var o = step!.AsObject();
            try
            {
                var context = new TokenRequestContext(Msal.Scopes(o), tenantId: o["tenant"]?.GetValue<string>());
                var r = await credential.GetTokenAsync(context, default);
                Events.Token("silent", r.Token, o["tenant"]?.GetValue<string>(), null, null);
            }
            catch (Exception ex)
            {
                Events.Error(ex);
            }
        }
    }

    static string S(JsonObject o, string name) => o[name]?.GetValue<string>() ?? "";
}
