"""Portable proofs: a credential baked into a PDF certificate, a PNG or an SVG badge, and back.

Pure code (no FastAPI, no database): every function takes the signed credential and returns
bytes, or takes untrusted bytes and returns the credential, refusing oversized or malformed
input with ``ExtractionError``.
"""
