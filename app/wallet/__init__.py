"""Wallet offers: OID4VCI 1.0 pre-authorized code issuance of already issued credentials."""
