"""API keys, scopes and the dependencies that authorise requests."""
