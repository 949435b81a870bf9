"""`PublicUrls`: every public URL and DID of this service, built and parsed in one place.

What a credential names (its own id, its status lists, the level pages its alignments
point to, its issuer's did:web, its achievement) must read back to the record it came from;
keeping the builder and the parser side by side is what guarantees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True, slots=True)
class PublicUrls:
    """URLs under ``base`` (``LEARNPROOF_PUBLIC_URL``); ``parse_*`` answer None for others'."""

    base: str
    # did:web:HOST[:PATH…]:issuers: made once, as every verification asks whether a DID is ours.
    _did_prefix: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))
        parts = urlsplit(self.base)
        segments = [quote(parts.netloc, safe="")]
        segments += [quote(p, safe="") for p in parts.path.split("/") if p]
        object.__setattr__(self, "_did_prefix", "did:web:" + ":".join([*segments, "issuers", ""]))

    @property
    def problems(self) -> str:
        """Base of the ``type`` URIs of our problem details (RFC 9457)."""
        return f"{self.base}/problems"

    # Credentials
    def credential(self, credential_id: str) -> str:
        return f"{self.base}/credentials/{credential_id}"

    def parse_credential(self, url: str) -> str | None:
        """The id of our credential at ``url``."""
        return _tail(url, f"{self.base}/credentials/")

    # Status lists
    def status_list(self, slug: str, list_public_id: str) -> str:
        return f"{self.base}/status/{slug}/{list_public_id}"

    def parse_status_list(self, url: str) -> tuple[str, str] | None:
        """``(issuer slug, list public id)`` of our status list at ``url``."""
        rest = _tail(url, f"{self.base}/status/")
        if rest is None:
            return None
        slug, _, list_id = rest.partition("/")
        return slug, list_id

    # Framework level pages
    def level(self, framework_code: str, level_code: str) -> str:
        """The public page of a level: the ``targetUrl`` of credential alignments."""
        return (
            f"{self.base}/frameworks/{quote(framework_code, safe='')}"
            f"/levels/{quote(level_code, safe='')}"
        )

    def parse_level(self, url: str) -> tuple[str, str] | None:
        """``(framework code, level code)`` of our level page at ``url``."""
        rest = _tail(url, f"{self.base}/frameworks/")
        parts = rest.split("/") if rest is not None else []
        if len(parts) != 3 or parts[1] != "levels" or not parts[0] or not parts[2]:
            return None
        return unquote(parts[0]), unquote(parts[2])

    # Issuers
    @property
    def did_prefix(self) -> str:
        """What every one of our issuers' DIDs starts with."""
        return self._did_prefix

    def issuer_did(self, slug: str) -> str:
        """did:web:HOST[:PATH…]:issuers:SLUG, the port percent-encoded as did:web requires."""
        return self._did_prefix + slug

    def parse_issuer_did(self, did: object) -> str | None:
        """The slug named by one of our issuers' DIDs (the issuer may not exist)."""
        return _tail(did, self.did_prefix)

    def issuer(self, slug: str) -> str:
        return f"{self.base}/issuers/{slug}"

    # Achievements
    def achievement(self, slug: str, achievement_id: str) -> str:
        return f"{self.issuer(slug)}/achievements/{achievement_id}"

    def parse_achievement(self, url: str) -> str | None:
        """The id of our achievement at ``url``."""
        if _tail(url, f"{self.base}/issuers/") is None or "/achievements/" not in url:
            return None
        return url.rsplit("/", 1)[-1]

    def issuer_did_document(self, slug: str) -> str:
        return f"{self.issuer(slug)}/did.json"

    def issuer_jwks(self, slug: str) -> str:
        return f"{self.issuer(slug)}/jwks.json"

    def accreditation(self, accreditation_id: str) -> str:
        return f"{self.base}/accreditations/{accreditation_id}"

    # Frameworks, referencing reports, vocabularies
    def framework(self, code: str) -> str:
        return f"{self.base}/v1/frameworks/{quote(code, safe='')}"

    def referencing_report(self, report_id: str) -> str:
        return f"{self.base}/v1/referencing-reports/{report_id}"

    def isced_field(self, code: str) -> str:
        return f"{self.base}/v1/isced-f/{code}"

    def concept(self, path: str, scheme: str, page_code: str) -> str:
        """An occupation or industry page (``path``: "occupations" or "industries")."""
        return f"{self.base}/{path}/{quote(scheme, safe='')}/{quote(page_code, safe='')}"

    def parse_concept(self, url: str) -> tuple[str, str, str] | None:
        """``(path, scheme, page code)`` of one of our occupation or industry pages."""
        rest = _tail(url, f"{self.base}/")
        parts = rest.split("/", 2) if rest is not None else []
        if len(parts) != 3:
            return None
        return parts[0], unquote(parts[1]), unquote(parts[2])

    # Credit bank
    def pathway(self, pathway_id: str) -> str:
        return f"{self.base}/pathways/{pathway_id}"

    def transfer_rule(self, rule_id: str) -> str:
        return f"{self.base}/transfer-rules/{rule_id}"

    def clr(self, clr_id: str) -> str:
        return f"{self.base}/clr/{clr_id}"

    # Pages and jobs
    @property
    def verify_page(self) -> str:
        return f"{self.base}/verify"

    def job(self, job_id: str) -> str:
        return f"{self.base}/v1/jobs/{job_id}"


def _tail(value: object, prefix: str) -> str | None:
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    return value.removeprefix(prefix)
