"""Issuer profiles, their signing keys (encrypted at rest), did:web and JWKS documents."""
