// MSAL.NET against the sam-bridge Entra ID emulator: device-code sign-in at `organizations`, then a
// token for a customer tenant (GDAP) from the cached refresh token, without a second sign-in.
//
//   python -m bridge.emulator serve > ready.json &          # prints authority_host and ca_bundle
//   SSL_CERT_FILE=<ca_bundle> dotnet run -- <authority_host> <client_id> <customer_tenant>
//
// SSL_CERT_FILE makes .NET on Linux trust the emulator's CA. Approve the code on <authority_host>/devicelogin.
using Microsoft.Identity.Client;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: EmulatorSignIn <authority_host> <client_id> <customer_tenant>");
    return 2;
}
var (host, clientId, customer) = (args[0].TrimEnd('/'), args[1], args[2]);
string[] graph = { "https://graph.microsoft.com/.default" };

var app = PublicClientApplicationBuilder.Create(clientId)
    .WithAuthority($"{host}/organizations")
    .WithInstanceDiscovery(false)   // otherwise MSAL asks login.microsoftonline.com about this authority
    .Build();

var signIn = await app.AcquireTokenWithDeviceCode(graph, code =>
{
    Console.Error.WriteLine(code.Message);
    return Task.CompletedTask;
}).ExecuteAsync();
Console.WriteLine($"signed in as {signIn.Account.Username} (tenant {signIn.TenantId})");

try
{
    var customerToken = await app.AcquireTokenSilent(graph, signIn.Account).WithTenantId(customer).ExecuteAsync();
    Console.WriteLine($"token for tenant {customerToken.TenantId}, expires {customerToken.ExpiresOn:u}");
    return 0;
}
catch (MsalUiRequiredException ex)
{
    // e.g. AADSTS50020 (no GDAP relationship) or AADSTS65001 (no consent in that tenant)
    Console.Error.WriteLine($"{ex.ErrorCode} ({ex.Classification}): {ex.Message}");
    return 1;
}
