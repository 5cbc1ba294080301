// msal-node against the sam-bridge Entra ID emulator: device-code sign-in at `organizations`, then a
// token for a customer tenant (GDAP) from the cached refresh token, without a second sign-in.
//
//   python -m bridge.emulator serve > ready.json &          # prints authority_host and ca_bundle
//   npm install @azure/msal-node@7
//   NODE_EXTRA_CA_CERTS=<ca_bundle> node sign-in.cjs <authority_host> <client_id> <customer_tenant>
//
// NODE_EXTRA_CA_CERTS makes Node trust the emulator's CA. Approve the code on <authority_host>/devicelogin.
const msal = require("@azure/msal-node");

async function main([host, clientId, customer]) {
  if (!customer) {
    console.error("usage: node sign-in.cjs <authority_host> <client_id> <customer_tenant>");
    return 2;
  }
  const graph = ["https://graph.microsoft.com/.default"];
  const app = new msal.PublicClientApplication({
    // knownAuthorities: trust this host as an authority without asking login.microsoftonline.com
    auth: { clientId, authority: `${host}/organizations`, knownAuthorities: [new URL(host).host] },
  });
  const signIn = await app.acquireTokenByDeviceCode({ scopes: graph, deviceCodeCallback: (r) => console.error(r.message) });
  console.log(`signed in as ${signIn.account.username} (tenant ${signIn.tenantId})`);
  try {
    // msal-node finds cached tokens by the account's tenant: name the customer tenant's profile.
    const customerToken = await app.acquireTokenSilent({
      account: { ...signIn.account, tenantId: customer }, scopes: graph, authority: `${host}/${customer}`,
    });
    console.log(`token for tenant ${customerToken.tenantId}, expires ${customerToken.expiresOn.toISOString()}`);
    return 0;
  } catch (err) {
    // e.g. AADSTS50020 (no GDAP relationship) or AADSTS65001 (no consent in that tenant)
    console.error(`${err.errorCode} (${err.subError || "no suberror"}): ${err.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err.message); process.exit(1); });
