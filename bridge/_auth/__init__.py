"""Layer 1, talking to Entra: the pinned HTTPS session (http), the only importer of msal
(client), client certificates (certs) and the map from AADSTS answers to errors (aadsts).
A profile and a store are passed in; nothing here imports the layers above. docs/ARCHITECTURE.md."""
