"""``learnproof serve`` and ``learnproof demo``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app import migrate
from app.cli.common import cli_session, cli_settings, open_keyring
from app.cli.workers import SPREADS_CONNECTIONS, listening_socket, placements, run_workers
from app.config import ConfigError
from app.core.clock import SystemClock
from app.demo import SLUG as DEMO_SLUG
from app.demo import seed as seed_demo


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply migrations, then serve the API."""
    import uvicorn

    settings = cli_settings()
    migrate.upgrade(settings.schema_database_url)
    # Check the master secret here too, so a wrong one is one clear line, not a traceback
    # from inside the server's start-up.
    try:
        with cli_session(settings) as session:
            open_keyring(settings, session)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": True,
        "log_level": "info",
        # No access log: who fetches which status list must not be recorded (BSL §6).
        "access_log": False,
        # uvicorn kills a worker that misses its health ping for 5 s; on a loaded host a
        # worker still importing the app missed it, and was restarted over and over.
        "timeout_worker_healthcheck": 30,
    }
    if workers == 1 or not SPREADS_CONNECTIONS:
        uvicorn.run("app.main:create_served_app", **options)
        return
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(2) from None
    cpus = placements(workers) if settings.pin_workers else ()
    run_workers(uvicorn.Config("app.main:create_served_app", **options), cpus=cpus)


def demo() -> None:
    """Seed a demo issuer, achievement and credential, and print their links."""
    settings = cli_settings()
    migrate.upgrade(settings.schema_database_url)
    with cli_session(settings) as session:
        seeded = seed_demo(
            session,
            open_keyring(settings, session),
            now=SystemClock().now(),
            urls=settings.urls,
        )
    urls = settings.urls
    typer.echo(f"issuer DID:        {seeded.did}")
    typer.echo(f"DID document:      {urls.issuer_did_document(DEMO_SLUG)}")
    typer.echo(f"issuer profile:    {urls.issuer(DEMO_SLUG)}")
    typer.echo(f"credential page:   {seeded.credential_url}")
    for suffix in ("json", "jwt", "pdf", "png", "svg"):
        typer.echo(f"credential .{suffix:<4}  {seeded.credential_url}.{suffix}")
    typer.echo(f"verify page:       {urls.verify_page}")
