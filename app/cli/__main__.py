"""``python -m app.cli`` runs the command line, as ``python app/cli.py`` did."""

from app.cli import main

main()
