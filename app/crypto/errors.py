"""Exceptions raised by `app.crypto`.

    CryptoError
    ├── EncodingError (ValueError)     malformed base64url, base58btc or multibase text
    │   └── KeyFormatError             a key, Multikey, JWK or did:key is malformed or unsupported
    ├── TransformationError            a document cannot be canonicalized (RDFC-1.0 or JCS)
    │   └── JsonLdProcessingError      JSON-LD expansion / RDF conversion failed
    │       ├── ContextNotAllowed      a @context URL is not one of the vendored contexts
    │       ├── CanonicalizationLimitExceeded   too large or too complex (RDFC poison graphs)
    │       └── UnsafeJsonLd           terms the contexts do not define would be dropped
    └── ProofGenerationError           a proof or JWS cannot be created for this document / signer

Verification never raises for bad input: `verify_proof` and `verify_jws` return a result that
says why. Encoding errors also derive from `ValueError`, which callers parsing input already
expect.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error raised by `app.crypto`."""


class EncodingError(CryptoError, ValueError):
    """Text that should be base64url, base58btc or multibase is not."""


class KeyFormatError(EncodingError):
    """A key encoding (raw, Multikey, JWK, did:key) is malformed or of an unsupported kind."""


class TransformationError(CryptoError):
    """A document cannot be canonicalized (e.g. a number JCS cannot represent)."""


class JsonLdProcessingError(TransformationError):
    """JSON-LD expansion or RDF canonicalization failed."""


class ContextNotAllowed(JsonLdProcessingError):
    """A document referenced a @context URL that is not vendored; nothing is ever fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD context not allowed (not vendored, never fetched): {url}")
        self.url = url


class CanonicalizationLimitExceeded(JsonLdProcessingError):
    """The dataset is too big or too complex to canonicalize within the configured limits."""


class UnsafeJsonLd(JsonLdProcessingError):
    """The document has terms or types its contexts do not define (JSON-LD "safe mode")."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("JSON-LD safe mode: " + "; ".join(problems))
        self.problems = problems


class ProofGenerationError(CryptoError):
    """A Data Integrity proof or a JWS could not be created."""
