// The interop suite's Node driver: runs one scenario with @azure/msal-node or @azure/identity.
//
// Same protocol as the .NET driver (tests/interop/dotnet/Program.cs): one JSON scenario line on stdin,
// JSON-line events on stdout, one stdin line awaited after each event but "device_code". The emulator's
// CA is trusted through NODE_EXTRA_CA_CERTS, as a user would do it.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import * as msal from "@azure/msal-node";
import * as identity from "@azure/identity";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const nextLine = async () => ((await lines.next()).value ?? "");

async function emit(value, wait = true) {
  process.stdout.write(JSON.stringify(value) + "\n");
  return wait ? nextLine() : "";
}

async function emitError(err) {
  // What each library shows its user: class, code, suberror, correlation id, the AADSTS codes.
  await emit({
    event: "error",
    type: err?.constructor?.name,
    name: err?.name,
    message: err?.message,
    error_code: err?.errorCode,
    error_no: err?.errorNo,
    suberror: err?.subError,
    correlation_id: err?.correlationId,
    status: err?.status ?? err?.statusCode,
    error_response: err?.errorResponse,
    cause: err?.cause ? { type: err.cause.constructor?.name, error_no: err.cause.errorNo, suberror: err.cause.subError, correlation_id: err.cause.correlationId, message: err.cause.message } : undefined,
  });
}

const token = (step, accessToken, tenant, account) => emit({ event: "token", step, access_token: accessToken, tenant, account });

function msalAuth(s) {
  // knownAuthorities: the emulator is trusted as an authority without instance discovery.
  return { clientId: s.client_id, authority: `${s.authority_host}/${s.tenant}`, knownAuthorities: [new URL(s.authority_host).host] };
}

function certificatePem(s) {
  return readFileSync(s.certificate_file, "utf8");
}

async function runMsal(s) {
  if (s.flow === "client_credentials") {
    const auth = msalAuth(s);
    if (s.client_secret) auth.clientSecret = s.client_secret;
    else {
      auth.clientCertificate = { privateKey: readFileSync(s.key_file, "utf8") };
      auth.clientCertificate[s.thumbprint_sha256 ? "thumbprintSha256" : "thumbprint"] = s.thumbprint_sha256 || s.thumbprint;
      if (s.send_x5c) auth.clientCertificate.x5c = certificatePem(s);
    }
    const result = await new msal.ConfidentialClientApplication({ auth }).acquireTokenByClientCredential({ scopes: s.scopes });
    await token("client_credentials", result.accessToken, result.tenantId, null);
    return;
  }
  const app = new msal.PublicClientApplication({ auth: msalAuth(s) });
  let login;
  if (s.flow === "device_code") {
    login = await app.acquireTokenByDeviceCode({
      scopes: s.scopes,
      deviceCodeCallback: (r) => emit({ event: "device_code", user_code: r.userCode, verification_url: r.verificationUri, message: r.message }, false),
    });
  } else if (s.flow === "auth_code") {
    // msal-node runs its own loopback listener; the test plays the browser and ends on that listener.
    login = await app.acquireTokenInteractive({
      scopes: s.scopes,
      openBrowser: async (url) => { await emit({ event: "auth_url", url, loopback: true }); },
      successTemplate: "signed in", errorTemplate: "sign-in failed: {{error}}",
    });
  } else if (s.flow === "refresh_token") {
    login = await app.acquireTokenByRefreshToken({ refreshToken: s.refresh_token, scopes: s.scopes });
  } else throw new Error(`unknown flow ${s.flow}`);
  await token(s.flow, login.accessToken, login.tenantId, login.account?.username);
  for (const step of s.then ?? []) {
    const [home] = await app.getTokenCache().getAllAccounts();
    // msal-node looks cached tokens up by the account's tenant before the authority's: a tenant the
    // user has no token for yet (a GDAP customer) is addressed by that tenant's profile of the account.
    const account = step.tenant ? { ...home, tenantId: step.tenant } : home;
    try {
      const r = await app.acquireTokenSilent({
        account, scopes: step.scopes, forceRefresh: !!step.force_refresh,
        authority: step.tenant ? `${s.authority_host}/${step.tenant}` : undefined,
      });
      await token("silent", r.accessToken, r.tenantId, r.account?.username);
    } catch (err) {
      await emitError(err);
    }
  }
}

async function runIdentity(s) {
  const options = { authorityHost: s.authority_host, disableInstanceDiscovery: true, additionallyAllowedTenants: ["*"] };
  let credential;
  if (s.flow === "client_credentials" && s.client_secret) {
    credential = new identity.ClientSecretCredential(s.tenant, s.client_id, s.client_secret, options);
  } else if (s.flow === "client_credentials") {
    const pem = readFileSync(s.key_file, "utf8") + certificatePem(s);
    credential = new identity.ClientCertificateCredential(s.tenant, s.client_id, { certificate: pem }, { ...options, sendCertificateChain: !!s.send_x5c });
  } else if (s.flow === "device_code") {
    // Unattended code wants an error, not a new prompt, when silent renewal fails.
    credential = new identity.DeviceCodeCredential({
      ...options, tenantId: s.tenant, clientId: s.client_id, disableAutomaticAuthentication: true,
      userPromptCallback: (r) => emit({ event: "device_code", user_code: r.userCode, verification_url: r.verificationUri, message: r.message }, false),
    });
  } else if (s.flow === "browser") {
    // The system browser (xdg-open, via the `open` package) and msal-node's loopback listener.
    credential = new identity.InteractiveBrowserCredential({ ...options, tenantId: s.tenant, clientId: s.client_id, redirectUri: "http://localhost" });
  } else if (s.flow === "auth_code") {
    // AuthorizationCodeCredential redeems a code the app obtained itself (it takes no PKCE verifier).
    const url = new URL(await emit({ event: "need_code" }));
    credential = new identity.AuthorizationCodeCredential(s.tenant, s.client_id, s.client_secret, url.searchParams.get("code"), s.redirect_uri, options);
  } else throw new Error(`unknown flow ${s.flow}`);
  if (credential instanceof identity.DeviceCodeCredential) await credential.authenticate(s.scopes);
  const first = await credential.getToken(s.scopes);
  await token(s.flow, first.token, null, null);
  for (const step of s.then ?? []) {
    try {
      const r = await credential.getToken(step.scopes, { tenantId: step.tenant });
      await token("silent", r.token, step.tenant ?? null, null);
    } catch (err) {
      await emitError(err);
    }
  }
}

const scenario = JSON.parse(await nextLine());
try {
  await (scenario.library === "msal-node" ? runMsal(scenario) : runIdentity(scenario));
} catch (err) {
  await emitError(err);
}
process.exit(0);
