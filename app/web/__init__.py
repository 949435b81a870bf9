"""Server-rendered pages: the credential page, the verify page, and the proof downloads."""
