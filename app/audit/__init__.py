"""The append-only audit log: every issue, status change and key event."""
