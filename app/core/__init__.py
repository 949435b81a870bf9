"""Tiny pure primitives shared by every capability: clock and identifiers."""
