"""Comprehensive Learner Record 2.0: several verified credentials, with their own proofs,
packaged in one ClrCredential signed by the issuer."""
