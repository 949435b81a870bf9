"""Webhooks: signed event callbacks (Standard Webhooks) fed by a transactional outbox."""
