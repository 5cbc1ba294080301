"""Layer 4, the services: exchange (refresh token -> access token, rotation, cache), consent,
batches over tenants, doctor, ad hoc tokens (New-PartnerAccessToken's sets), profiles as the
services load them, and the CIPP import. docs/ARCHITECTURE.md."""
