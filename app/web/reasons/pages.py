"""Other sentences the pages show in the words of the code below them, by stable code.

Why an uploaded file could not be read (app/proofs), which credentials the guidance counted
(app/occupations/guidance.py) and what the credit bank says (app/pathways): written in
English for the API, read back and translated like the verifier's reasons.
"""

from __future__ import annotations

from typing import Final

from app.core.i18n import N_

PAGES: Final = {
    # Guidance: which credentials count (app/occupations/guidance.py).
    "guidance.verified": N_("verified"),
    "guidance.not_verified": N_("not verified"),
    "guidance.no_achievement": N_(
        "verified, but it names no achievement, so it shows nothing to build on"
    ),
    "guidance.time_budget": N_(
        "not checked: this request's time budget was spent; send fewer credentials per request"
    ),
    # Credit bank: requirements, evaluation and transfer rules (app/pathways).
    "pathway.untrusted": N_(
        "its issuer %(issuer)s is not trusted here: it is not registered with this service, not "
        "on its trust list, and no transfer rule of this pathway names it"
    ),
    "pathway.no_requirement": N_("it satisfies no requirement of this pathway"),
    "pathway.duplicate": N_("the same credential as input %(position)s, whose credits count once"),
    "pathway.rule_counted": N_("counted at %(credits)s credits under transfer rule %(rule)s"),
    "pathway.counted": N_("counted"),
    "pathway.more_credits": N_("%(more)s more credits (%(total)s of %(min_credits)s)"),
    "pathway.more_of": N_("%(count)s more of: %(options)s"),
    "pathway.level": N_("a credential at %(level)s or higher"),
    "pathway.field_named": N_("a credential in ISCED-F field %(field)s (%(name)s)"),
    "pathway.field": N_("a credential in ISCED-F field %(field)s"),
    "pathway.credits": N_("%(credits)s credits"),
    "pathway.all": N_("all of: %(parts)s"),
    "pathway.one": N_("one of: %(parts)s"),
    "pathway.at_least": N_("at least %(count)s of: %(parts)s"),
    "pathway.in_all": N_("at least %(credits)s credits in all"),
    "pathway.credits_of": N_("%(credits)s of %(min_credits)s credits"),
    "pathway.meets": N_("meets %(name)s: %(amount)s"),
    "pathway.toward": N_("counts toward %(name)s: %(amount)s; still missing: %(missing)s"),
    "pathway.not_verified": N_("it did not verify: %(reason)s"),
    "pathway.no_proof": N_("no proof checked"),
    "pathway.proof_not_checked": N_("its proof was not checked"),
    "pathway.status_why": N_("its issuer has %(status)s it: %(why)s"),
    "pathway.status": N_("its issuer has %(status)s it"),
    "pathway.presentation": N_("the presentation did not verify: %(reason)s"),
    "pathway.learner_record": N_("a learner record: the credentials it includes count one by one"),
    "pathway.no_holder": N_("it does not name its holder (no subject id or email identifier)"),
    "pathway.other_holder": N_("it was issued to someone else than the recipient"),
    "rule.satisfy": N_(
        "%(what)s from %(issuer)s count %(credits)s credits and satisfy '%(requirement)s'"
    ),
    "rule.count": N_("%(what)s from %(issuer)s count %(credits)s credits"),
    "rule.any": N_("credentials"),
    "rule.achievement_field": N_("credentials for %(achievement)s in ISCED-F field %(field)s"),
    "rule.achievement": N_("credentials for %(achievement)s"),
    "rule.level_field": N_("credentials at %(level)s or higher in ISCED-F field %(field)s"),
    "rule.level": N_("credentials at %(level)s or higher"),
    "rule.field": N_("credentials in ISCED-F field %(field)s"),
    # Files that could not be read (app/proofs raises these as ExtractionError).
    "file.empty": N_("The file is empty."),
    "file.not_credential": N_(
        "The file is not a credential: expected JSON, a JWT, or a PDF, PNG or SVG from a "
        "credential issuer."
    ),
    "file.too_large": N_(
        "The file is larger than %(megabytes)s MB; a credential file is much smaller."
    ),
    "file.svg_malformed": N_("The file is not a well-formed SVG image."),
    "file.svg_not_svg": N_("The file is XML but not an SVG image."),
    "file.svg_none": N_("The SVG image carries no Open Badges credential."),
    "file.svg_many": N_("The SVG image carries more than one credential; it is ambiguous."),
    "file.png_not_png": N_("The file is not a PNG image."),
    "file.png_truncated": N_("The PNG image is truncated."),
    "file.png_checksum": N_("The PNG image is damaged (a chunk checksum is wrong)."),
    "file.png_no_end": N_("The PNG image has no end chunk."),
    "file.png_none": N_("The PNG image carries no Open Badges credential."),
    "file.png_many": N_("The PNG image carries more than one credential; it is ambiguous."),
    "file.png_header": N_("The PNG image has no valid header."),
    "file.png_large": N_("The PNG image is too large to be a badge."),
    "file.png_chunk": N_("The PNG badge chunk is malformed."),
    "file.png_compression": N_("The PNG badge chunk uses an unknown compression method."),
    "file.png_utf8": N_("The PNG badge chunk is not UTF-8 text."),
    "file.png_decompress": N_("The PNG badge chunk does not decompress."),
    "file.embedded_large": N_("The embedded credential is larger than 1 MB."),
    "file.embedded_refused": N_("The embedded credential is refused: %(detail)s"),
    "file.embedded_json": N_("The embedded credential is not valid JSON."),
    "file.embedded_object": N_("The embedded credential is not a JSON object."),
    "file.embedded_neither": N_("The embedded data is neither a JSON credential nor a JWT."),
    "file.pdf_attachment_utf8": N_("The attached credential is not UTF-8 text."),
    "file.pdf_not_pdf": N_("The file is not a PDF document."),
    "file.pdf_unreadable": N_("The PDF could not be read."),
    "file.pdf_none": N_("The PDF has no attached credential (no %(json)s or %(jwt)s)."),
    # What a credential certifies (app/verification/meaning.py), "; "-joined parts; the
    # names in them (achievements, levels, occupations) are the credential's and the
    # vocabularies' own and stay as written.
    "meaning.prepares_for": N_("prepares for %(targets)s"),
    "meaning.industry": N_("industry %(targets)s"),
    "meaning.industries": N_("industries %(targets)s"),
    "meaning.earned": N_("%(credits)s %(unit)s earned"),
    "meaning.field": N_("field of study: %(field)s"),
    # What a level equals (app/frameworks/alignment.py), one part per equivalent level.
    "meaning.equals": N_("equals %(level)s"),
    "meaning.closely_matches": N_("closely matches %(level)s"),
    "meaning.falls_within": N_("falls within %(level)s"),
    "meaning.encompasses": N_("encompasses %(level)s"),
    "meaning.overlaps_with": N_("overlaps with %(level)s"),
}
