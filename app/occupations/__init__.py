"""Public occupation and industry pages, and guidance over verified credentials."""
