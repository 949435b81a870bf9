"""Verification of credentials and presentations for employers (report, resolver, checks)."""
