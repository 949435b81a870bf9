"""A ratio of two rates measured in alternating rounds (`bench/issue.py` and `bench/verify.py`
with ``--peer``): each side's items and seconds summed over the rounds, so both meet the
host's slow and fast seconds alike (README "Figures", noon)."""

from __future__ import annotations


class AlternatingRounds:
    def __init__(self) -> None:
        self.ours = [0, 0.0]
        self.theirs = [0, 0.0]
        self.rounds = 0

    def add(self, ours: int, ours_seconds: float, theirs: int, theirs_rate: float) -> str:
        """Count one round; returns its line ("round N: ...")."""
        self.rounds += 1
        self.ours[0] += ours
        self.ours[1] += ours_seconds
        self.theirs[0] += theirs
        self.theirs[1] += theirs / theirs_rate
        rate = ours / ours_seconds
        return (
            f"  round {self.rounds}: ours {rate:7.1f}/s over {ours_seconds:.1f} s, reference "
            f"{theirs_rate:6.1f}/s over {theirs / theirs_rate:.1f} s: {rate / theirs_rate:.2f}x"
        )

    def peer_items(self, seconds: float, *, first: int, most: int, fewest: int = 50) -> int:
        """How many items the reference side gets next: about ``seconds`` at its rate so far
        (``first`` before any round)."""
        if not self.theirs[1]:
            return first
        return int(min(most, max(fewest, seconds * self.theirs[0] / self.theirs[1])))

    def summary(self) -> str:
        rate, peer = self.ours[0] / self.ours[1], self.theirs[0] / self.theirs[1]
        return (
            f"{rate / peer:.2f}x ({rate:.1f}/s against {peer:.1f}/s, {self.rounds} alternating "
            "rounds)"
        )
