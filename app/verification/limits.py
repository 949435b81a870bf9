"""The bounds on one verification request, from settings (README "Limits per request").

Size bounds are checked before any work (the JSON values of one credential, of a whole
presentation, its depth); canonicalization bounds refuse RDF too large or too tangled to
canonicalize; the CPU and wall-clock budget (app.core.budget) stops whatever remains.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.crypto.rdfc import CanonicalizationLimits
from app.verification.credential_input import MAX_DEPTH, MAX_NODES, MAX_PRESENTATION_NODES


@dataclass(frozen=True, slots=True)
class VerifyLimits:
    max_json_values: int = MAX_NODES
    max_json_depth: int = MAX_DEPTH
    max_presentation_values: int = MAX_PRESENTATION_NODES
    max_quads: int = 20_000
    max_blank_nodes: int = 5_000
    cpu_seconds: float = 2.0
    wall_seconds: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> VerifyLimits:
        return cls(
            max_json_values=settings.verify_max_json_values,
            max_json_depth=settings.verify_max_json_depth,
            max_presentation_values=settings.verify_max_presentation_values,
            max_quads=settings.verify_max_quads,
            max_blank_nodes=settings.verify_max_blank_nodes,
            cpu_seconds=settings.verify_cpu_seconds,
            wall_seconds=settings.verify_wall_seconds,
        )

    def canonicalization(self, *, quads_factor: int = 1) -> CanonicalizationLimits:
        """RDFC bounds for one credential (`quads_factor` more for a whole presentation)."""
        return CanonicalizationLimits(
            max_quads=self.max_quads * quads_factor,
            max_blank_nodes=self.max_blank_nodes * quads_factor,
            # The request's CPU budget is the real bound; this keeps one document from
            # taking all of a long budget when the settings raise it.
            timeout_seconds=max(self.cpu_seconds, 0.1) * 2,
        )
