"""Issuance (builder → sign → store), credential records and their portable forms."""
