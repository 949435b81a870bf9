"""The sentences the verifier (app/verification) writes as check reasons, by stable code.

Each message id is the English text exactly as the verifier writes it, with its parameters
named; app/web/reasons reads reasons back against them (tests/web/test_reasons.py keeps the
two in step).
"""

from __future__ import annotations

from typing import Final

from app.core.i18n import N_

VERIFIER: Final = {
    # Several proofs: each reason is prefixed with the proof it is about.
    "proof.position": N_("proof %(position)s of %(count)s: %(reason)s"),
    # Work limits and unexpected errors.
    "not_verified.why": N_("not verified: %(reason)s"),
    "limits.cancelled": N_("verification stopped: %(detail)s"),
    "limits.cpu": N_(
        "verification stopped: this request used up its %(seconds)s s of CPU (%(setting)s); "
        "send what was not verified in another request"
    ),
    "limits.wall": N_(
        "verification stopped: this request took longer than %(seconds)s s (%(setting)s)"
    ),
    "limits.request_cancelled": N_("the request was cancelled"),
    "internal.error": N_("an unexpected error stopped the verification"),
    # Reading the input.
    "parsing.unsupported": N_("unsupported format: %(reason)s"),
    "parsing.jwt_enveloped": N_(
        "a VC-JWT (typ %(typ)s, alg %(alg)s) in an EnvelopedVerifiableCredential"
    ),
    "parsing.jwt": N_("a VC-JWT (typ %(typ)s, alg %(alg)s)"),
    "parsing.json_ld": N_("a JSON-LD credential"),
    "parsing.presentation": N_("a JSON-LD presentation"),
    "parsing.presentation_not_object": N_("a presentation must be a JSON object"),
    "parsing.sd_jwt": N_("this is an SD-JWT, which LearnProof does not verify"),
    "parsing.neither": N_("the text is neither a JSON credential nor a compact JWT"),
    "parsing.jwt_base64": N_("the JWT signature is not canonical base64url"),
    "parsing.jwt_unreadable": N_("the JWT cannot be read: %(detail)s"),
    "parsing.envelope_id": N_("an EnvelopedVerifiableCredential needs an id that is a data: URL"),
    "parsing.envelope_holds": N_(
        "the envelope holds %(format)s (%(media)s), which LearnProof does not verify"
    ),
    "parsing.envelope_media": N_("the envelope's media type %(media)s is not %(expected)s"),
    "parsing.not_object": N_("a credential must be a JSON object or a VC-JWT string"),
    "parsing.too_complex": N_("the credential is too complex to verify: %(detail)s"),
    "parsing.jwt_vc_claims": N_(
        "its JWT payload carries 'vc'/'vp' claims, which VC-JOSE-COSE forbids"
    ),
    # JSON-LD contexts.
    "contexts.none": N_("it has no @context"),
    "contexts.first": N_(
        "its first @context must be %(v2)s (or %(v1)s for VC DM 1.1), not %(found)s"
    ),
    "contexts.unknown": N_(
        "it uses a @context LearnProof does not hold, and unknown contexts are never fetched: "
        "%(contexts)s"
    ),
    "contexts.not_url": N_("a context that is not a URL"),
    "contexts.invalid": N_("its JSON-LD is invalid: %(detail)s"),
    "contexts.undefined_jwt": N_("its @context does not define everything it says: %(terms)s"),
    "contexts.undefined": N_(
        "its @context does not define everything it says, so those parts would not be covered "
        "by a signature: %(terms)s"
    ),
    "contexts.examples": N_("it uses the W3C examples context, meant for examples only"),
    "contexts.known": N_("all %(count)s JSON-LD contexts are known"),
    # Structure and schemas.
    "structure.ob_v1": N_(
        "the Open Badges 3.0 schema was not applied: it is written for VC DM 2.0 and this "
        "credential uses VC DM 1.1"
    ),
    "structure.status_entry": N_(
        "a credentialStatus entry lacks the id or type Open Badges 3.0 requires"
    ),
    "structure.status_list": N_(
        "it has %(count)s credentialStatus entries: VC DM 2.0 allows a list, the Open Badges "
        "3.0 schema expects one object; each entry was checked"
    ),
    "structure.ob_schema": N_("it does not follow the Open Badges 3.0 schema: %(problems)s"),
    "structure.malformed": N_("it is not a well-formed VC DM %(model)s %(kind)s: %(problems)s"),
    "structure.other_schema": N_(
        "its credentialSchema %(schemas)s was not checked: only the Open Badges 3.0 schema is "
        "bundled, and schemas are never fetched"
    ),
    "structure.badge": N_(
        "a well-formed VC DM 2.0 %(kind)s and follows the Open Badges 3.0 schema"
    ),
    "structure.ok_v2": N_("a well-formed VC DM 2.0 %(kind)s"),
    "structure.ok_v1": N_("a well-formed VC DM 1.1 %(kind)s"),
    # What a malformed credential breaks, one "field: problem" each (schema messages from
    # jsonschema stay as written).
    "structure.field": N_("%(field)s: %(reason)s"),
    "structure.more": N_("and %(count)s more"),
    "structure.type": N_("type does not include VerifiableCredential"),
    "structure.issuer": N_("issuer is missing or has no id"),
    "structure.subject_missing": N_("credentialSubject is missing"),
    "structure.subject_claims": N_(
        "each credentialSubject must be an object making at least one claim"
    ),
    "structure.issuance_date": N_("issuanceDate is missing (required by VC DM 1.1)"),
    "structure.empty": N_("%(field)s must not be empty"),
    "structure.object": N_("%(field)s must be an object"),
    "structure.v1_member": N_("%(field)s needs '%(member)s' (VC DM 1.1)"),
    "structure.ob_status_member": N_(
        "each credentialStatus entry needs '%(member)s' (Open Badges 3.0)"
    ),
    "structure.not_url": N_("%(value)s is not a URL"),
    "structure.related_empty": N_("relatedResource must hold at least one object"),
    "structure.related_object": N_("each relatedResource must be an object"),
    "structure.related_id": N_("each relatedResource needs an 'id' that is a URL"),
    "structure.related_twice": N_("relatedResource %(url)s is listed twice"),
    "structure.related_digest": N_("each relatedResource needs a digestSRI or a digestMultibase"),
    "structure.digest_sri": N_("digestSRI must read 'sha256-…', 'sha384-…' or 'sha512-…' (base64)"),
    "structure.digest_multibase": N_(
        "digestMultibase must be a multibase string: 'u…' (base64url) or 'z…'"
    ),
    "parsing.too_many_values": N_("it holds more than %(count)s JSON values"),
    "parsing.too_deep": N_("it is nested more than %(count)s levels deep"),
    # Signatures and keys.
    "proof.none": N_("it carries no proof (signature)"),
    "proof.unsupported": N_(
        "it is signed with %(suites)s, which LearnProof does not support, so it cannot be "
        "verified here"
    ),
    "proof.not_checked": N_("%(label)s is not supported here and was not checked"),
    "proof.chain_missing": N_(
        "a proof's previousProof names %(names)s, which is not a proof of this document"
    ),
    "proof.chain_cycle": N_(
        "the proofs' previousProof references form a cycle, so they are no valid chain"
    ),
    "proof.none_by_owner": N_(
        "none of the %(count)s proofs is a valid %(purpose)s proof by a key of the %(role)s "
        "%(owner)s"
    ),
    "proof.none_valid": N_("none of the %(count)s proofs is a valid %(purpose)s proof"),
    "proof.key_unavailable": N_("the signing key could not be obtained: %(detail)s"),
    "proof.signature_valid": N_(
        "the %(label)s signature by the %(role)s %(signer)s (for %(purpose)s) is valid"
    ),
    "proof.signature_failed": N_(
        "the %(label)s signature by the %(role)s %(signer)s (for %(purpose)s): %(reason)s"
    ),
    "proof.valid": N_("the %(label)s signature is valid"),
    "proof.changed": N_("the signature does not match: the content was changed after signing"),
    "proof.transformation": N_(
        "the content could not be prepared for signature checking: %(detail)s"
    ),
    "proof.invalid": N_("the signature is not valid: %(detail)s"),
    "proof.jwt_vc_claim": N_(
        "unsupported format: this is a VC DM 1.1 JWT (the credential sits in a 'vc' claim); "
        "LearnProof verifies VC-JOSE-COSE JWTs, whose payload is the credential itself"
    ),
    "proof.jwt_valid": N_("the JWT signature (%(alg)s) is valid"),
    "proof.jwt_invalid": N_("the JWT is not valid: %(detail)s"),
    "proof.replay": N_("no challenge was given, so this presentation may be a replay"),
    "proof.unsigned_presentation": N_("an unsigned presentation: only its credentials count"),
    "key_binding.no_signature": N_("there is no signature to bind to a key"),
    "key_binding.unsupported": N_("no supported signature"),
    "key_binding.unsupported_format": N_("unsupported format"),
    "key_binding.unavailable": N_("the key could not be obtained"),
    "key_binding.controller": N_(
        "the key %(key)s names %(controller)s as its controller, but it was published by "
        "%(publisher)s"
    ),
    "key_binding.no_controller": N_("no one"),
    "key_binding.owner": N_(
        "the signing key belongs to %(publisher)s, not to the %(role)s %(owner)s"
    ),
    "key_binding.purpose": N_("%(publisher)s does not authorise the key %(key)s for %(purpose)s"),
    "key_binding.revoked": N_("the issuer revoked this signing key on %(day)s: %(why)s"),
    "key_binding.no_revocation_reason": N_("no reason given"),
    "key_binding.ok": N_(
        "the key %(key)s belongs to the %(role)s and is authorised for %(purpose)s"
    ),
    "key_binding.jwks": N_("the key %(key)s is published in the JWT issuer metadata of %(source)s"),
    "key_binding.jwt_no_key": N_("no key of the %(role)s could be used: %(detail)s"),
    "key_binding.jwt_refused": N_("the JWT was refused before its key was sought"),
    # Validity period.
    "validity.not_a_date": N_("%(name)s %(value)s is not a date and time with a time zone"),
    "validity.order": N_("%(start_name)s (%(start)s) is after %(end_name)s (%(end)s)"),
    "validity.not_yet": N_("not valid yet: it becomes valid on %(day)s"),
    "validity.expired": N_("expired on %(day)s"),
    "validity.between": N_("valid from %(start)s until %(end)s"),
    "validity.since": N_("valid since %(day)s, with no expiry date"),
    "validity.until": N_("valid until %(day)s"),
    "validity.none": N_("no validity period is stated"),
    # Revocation and suspension.
    "status.none": N_("it has no status entry, so it cannot be revoked"),
    "status.type": N_(
        "its status of type %(kind)s was not checked: only %(supported)s is supported"
    ),
    "status.not_object": N_("a credentialStatus entry is not an object"),
    "status.no_purpose": N_("the status entry has no statusPurpose"),
    "status.index": N_(
        "statusListIndex %(index)s is not a non-negative integer written as a string"
    ),
    "status.no_url": N_("the status entry has no statusListCredential URL"),
    "status.id_is_url": N_("the status entry's id must not be the status list URL"),
    "status.size": N_("statusSize %(size)s is not an integer between 1 and 16"),
    "status.size_messages": N_("statusSize %(size)s needs %(needed)s statusMessage entries"),
    "status.message_shape": N_("each statusMessage must be an object with status and message"),
    "status.message_hex": N_(
        "statusMessage status %(status)s is not a hexadecimal value such as '0x1'"
    ),
    "status.message_fit": N_("statusMessage status %(status)s does not fit in statusSize %(size)s"),
    "status.message_twice": N_("statusMessage status %(status)s is listed twice"),
    "status.message_text": N_("statusMessage %(status)s has no message text"),
    "status.retrieval": N_("the status list could not be retrieved: %(detail)s"),
    "status.list_unverified": N_("the status list could not be verified (%(reason)s)"),
    "status.list_no_proof": N_("it carries no valid proof"),
    "status.list_issuer": N_(
        "the status list %(url)s is issued by %(list_issuer)s, not by the credential's issuer "
        "%(issuer)s, so it cannot speak for this credential"
    ),
    "status.list_id": N_(
        "the status list fetched from %(url)s names itself %(list_id)s, not %(url)s"
    ),
    "status.list_type": N_("%(url)s is not a BitstringStatusListCredential"),
    "status.encoded_list": N_("the status list has no encodedList"),
    "status.list_purpose": N_("the status list is not for %(wanted)s (it serves %(served)s)"),
    "status.unreadable": N_("the status list cannot be read: %(detail)s"),
    "status.short": N_(
        "the status list has only %(entries)s entries, fewer than the %(minimum)s the Bitstring "
        "Status List standard requires to protect holders' privacy"
    ),
    "status.range": N_(
        "statusListIndex %(index)s is outside the status list (%(entries)s entries)"
    ),
    "status.revoked_referenced": N_(
        "revoked: the issuer has revoked this credential (explained at %(references)s)"
    ),
    "status.revoked_message": N_(
        "revoked: the issuer has revoked this credential (status %(value)s: %(message)s)"
    ),
    "status.revoked": N_("revoked: the issuer has revoked this credential"),
    "status.not_revoked": N_("not revoked (checked against the issuer's status list)"),
    "status.suspended_referenced": N_(
        "suspended: the issuer has suspended this credential (explained at %(references)s)"
    ),
    "status.suspended_message": N_(
        "suspended: the issuer has suspended this credential (status %(value)s: %(message)s)"
    ),
    "status.suspended": N_("suspended: the issuer has suspended this credential"),
    "status.not_suspended": N_("not suspended (checked against the issuer's status list)"),
    "status.undescribed": N_(
        "%(purpose)s status is %(value)s, which its statusMessage does not describe"
    ),
    "status.value_message": N_("%(purpose)s status is %(value)s: %(message)s"),
    "status.value": N_("%(purpose)s status is %(value)s"),
    # Related resources.
    "related_resource.limit": N_(
        "related resource %(url)s was not checked: only the first %(count)s are"
    ),
    "related_resource.unavailable": N_(
        "related resource %(url)s could not be obtained, so its digest was not checked: %(detail)s"
    ),
    "related_resource.ok": N_("related resource %(url)s matches its digest"),
    "related_resource.changed": N_(
        "related resource %(url)s does not match the digest the credential gives: it changed "
        "since the credential was issued, or the digest is wrong"
    ),
    # Issuer, meaning, accreditation.
    "issuer_trust.none": N_("it names no issuer"),
    "issuer_trust.registered": N_(
        "issued by %(name)s, an issuer registered on this LearnProof service"
    ),
    "issuer_trust.trusted": N_("%(issuer)s is on this service's trusted list"),
    "issuer_trust.unknown": N_(
        "%(issuer)s is not an issuer this service knows or trusts: the signature shows who "
        "issued it, not whether that issuer is what it claims to be"
    ),
    "meaning.none": N_("it names no achievement, so there is no award to describe"),
    "meaning.contradiction": N_(
        "it claims %(earned)s credits earned of %(available)s available: the credential "
        "contradicts itself, so do not rely on the credits"
    ),
    "meaning.no_details": N_("an achievement with no details"),
    "accreditation.no_achievement": N_("it names no achievement to be accredited for"),
    "accreditation.no_registry": N_(
        "accreditations are known only to a verifier with the registry's database"
    ),
    "accreditation.none_trusted": N_(
        "this service trusts no accrediting body, so accreditation is not checked"
    ),
    "accreditation.not_held": N_(
        "the issuer holds no accreditation from an accrediting body this service trusts"
    ),
    "accreditation.covers": N_("accreditation %(url)s by %(accreditor)s covers what it claims"),
    "accreditation.others": N_(
        "accreditation %(url)s by %(accreditor)s: %(problems)s (and %(count)s other "
        "accreditation(s) do not cover it either)"
    ),
    "accreditation.problems": N_("accreditation %(url)s by %(accreditor)s: %(problems)s"),
    # Included and presented credentials, corrections.
    "accreditation.unverified": N_("the accreditation credential does not verify: %(why)s"),
    "accreditation.revoked": N_("accreditation %(url)s by %(accreditor)s has been revoked"),
    "accreditation.period": N_(
        "the accreditation is valid from %(start)s until %(end)s, not at the credential's "
        "validFrom %(valid_from)s"
    ),
    "accreditation.framework": N_(
        "it claims %(framework)s level %(level)s, but the issuer is accredited for "
        "%(accredited)s only"
    ),
    "accreditation.level": N_(
        "the issuer is accredited up to %(framework)s level %(highest)s but the credential "
        "claims %(framework)s level %(level)s"
    ),
    "accreditation.field": N_(
        "its field ISCED-F %(field)s is outside the accredited fields %(fields)s"
    ),
    "accreditation.type": N_(
        "its type %(type)s is not an accredited qualification type (%(types)s)"
    ),
    "accreditation.jurisdiction": N_(
        "the jurisdiction %(jurisdiction)s of %(framework)s is outside the accredited "
        "jurisdictions %(jurisdictions)s"
    ),
    "credentials.none_included": N_("it includes no credentials"),
    "credentials.too_many": N_(
        "it includes %(count)s credentials and this request may verify only %(budget)s more "
        "included credentials, so none was verified"
    ),
    "credentials.included_failed": N_(
        "%(bad)s of %(count)s included credentials did not verify (credential %(position)s: "
        "%(why)s)"
    ),
    "credentials.included_ok": N_("all %(count)s included credentials verify"),
    "credentials.none_presented": N_("it presents no credentials"),
    "credentials.presented_failed": N_(
        "%(bad)s of %(count)s presented credentials did not verify (credential %(position)s: "
        "%(why)s)"
    ),
    "credentials.presented_ok": N_("all %(count)s presented credentials verify"),
    "credentials.did_not_verify": N_("it did not verify"),
    "successor.replaced": N_("the issuer replaced it with a corrected credential: %(successor)s"),
}
