"""Pure cryptography: keys, Multikey/did:key, JSON-LD canonicalization, Data Integrity, JWS."""
