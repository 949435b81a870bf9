"""The ``learnproof`` command line."""

from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.audit import service as audit_service
from app.auth import service as auth_service
from app.auth.scopes import Scope
from app.config import ConfigError, Settings, load_settings
from app.core.clock import SystemClock
from app.credentials import chunk as chunk_service
from app.credentials import service as credential_service
from app.credentials.bulk import RESULT_COLUMNS
from app.credentials.bulk import Row as CsvRow
from app.credentials.bulk import read_rows as read_csv_rows
from app.db import make_engine, make_sessionmaker
from app.demo import SLUG as DEMO_SLUG
from app.demo import seed as seed_demo
from app.errors import AppError
from app.issuers import service as issuer_service
from app.issuers.documents import issuer_did
from app.issuers.keystore import check_master_key, load_master_key, new_master_secret
from app.issuers.schemas import IssuerCreate
from app.issuers.signing import KeyRing
from app.vocabularies.cli import vocab_cli

cli = typer.Typer(
    help="LearnProof: issue and verify Open Badges 3.0 credentials.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)
apikey_cli = typer.Typer(help="API keys.", no_args_is_help=True)
issuer_cli = typer.Typer(help="Issuers.", no_args_is_help=True)
keys_cli = typer.Typer(help="Signing keys and the master secret.", no_args_is_help=True)
audit_cli = typer.Typer(help="The audit log.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(apikey_cli, name="apikey")
cli.add_typer(issuer_cli, name="issuer")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(vocab_cli, name="vocab")
cli.add_typer(audit_cli, name="audit")

CLI_ACTOR = "cli"


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        engine.dispose()


def _fail(exc: AppError) -> typer.Exit:
    typer.echo(f"error: {exc.detail}", err=True)
    return typer.Exit(1)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply migrations, then serve the API."""
    import uvicorn

    settings = _settings()
    migrate.upgrade(settings.schema_database_url)
    # Check the master secret here too, so a wrong one is one clear line, not a traceback
    # from inside the server's start-up.
    try:
        with _session(settings) as session:
            _keyring(settings, session)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # No access log: who fetches which status list must not be recorded (BSL §6).
        access_log=False,
        # uvicorn kills a worker that misses its health ping for 5 s; on a loaded host a
        # worker still importing the app missed it, and was restarted over and over.
        timeout_worker_healthcheck=30,
    )


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Upgrade the database schema (to head by default); running it twice is a no-op.

    Runs as LEARNPROOF_MIGRATION_DATABASE_URL when set (the role that owns the schema).
    """
    settings = _settings()
    migrate.upgrade(settings.schema_database_url, revision)
    engine = make_engine(settings.schema_database_url)
    try:
        typer.echo(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Downgrade the database schema to REVISION (``base`` empties it)."""
    migrate.downgrade(_settings().schema_database_url, revision)


@db_cli.command("grant-runtime")
def db_grant_runtime(
    role: Annotated[str, typer.Argument(help="The PostgreSQL role the service runs as")],
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the SQL instead of running it")
    ] = False,
) -> None:
    """Grant ROLE what the service needs, and only INSERT/SELECT on the audit log.

    Run as the migration role after every `db upgrade` (new tables need grants too).
    """
    settings = _settings()
    engine = make_engine(settings.schema_database_url)
    try:
        if print_only:
            tables = inspect(engine).get_table_names(schema="public")
            statements = migrate.runtime_grants(role, tables)
        else:
            statements = migrate.grant_runtime(engine, role)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    for statement in statements:
        typer.echo(f"{statement};")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 0 only when it is intact."""
    with _session(_settings()) as session:
        report = audit_service.verify_chain(session)
    typer.echo(report.describe(), err=not report.intact)
    raise typer.Exit(0 if report.intact else 1)


@apikey_cli.command("create")
def apikey_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key")],
    scope: Annotated[
        list[Scope], typer.Option(help="admin, issue, revoke or read; repeat for several")
    ],
    issuer: Annotated[str | None, typer.Option(help="Bind the key to one issuer slug")] = None,
) -> None:
    """Create an API key; the key is printed once, alone on the last line."""
    settings = _settings()
    try:
        with _session(settings) as session:
            if issuer is not None:
                issuer_service.require_slug(session, issuer, field="--issuer")
            record, secret = auth_service.create_key(
                session,
                name=name,
                scope=frozenset(scope),
                issuer_slug=issuer,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
            )
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"created API key {record.id} (prefix {record.prefix}, scope {record.scope})")
    typer.echo("store it now; only its hash is kept:")
    typer.echo(secret)


@apikey_cli.command("list")
def apikey_list() -> None:
    """List API keys (never their secrets)."""
    with _session(_settings()) as session:
        for record in auth_service.list_keys(session):
            state = "revoked" if record.revoked_at else "active"
            typer.echo(
                f"{record.id}  {record.prefix}  {record.scope:<12}  "
                f"{record.issuer_slug or '-':<20}  {state:<7}  {record.name}"
            )


@apikey_cli.command("revoke")
def apikey_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix")]) -> None:
    """Revoke an API key."""
    try:
        with _session(_settings()) as session:
            record = auth_service.revoke_key(session, key, now=SystemClock().now(), actor=CLI_ACTOR)
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"revoked {record.id}")


def _keyring(settings: Settings, session: Session) -> KeyRing:
    master = load_master_key(settings)
    check_master_key(session, master, now=SystemClock().now())
    return KeyRing(master)


@issuer_cli.command("create")
def issuer_create(
    slug: Annotated[str, typer.Option(help="lowercase letters, digits, hyphens")],
    name: Annotated[str, typer.Option()],
    url: Annotated[str, typer.Option(help="The issuer's home page")],
    email: Annotated[str, typer.Option(help="Contact email (public in the profile)")],
    description: Annotated[str | None, typer.Option()] = None,
    key_type: Annotated[str, typer.Option(help="Ed25519 or P-256")] = "Ed25519",
) -> None:
    """Create an issuer with a did:web identifier and a first signing key."""
    settings = _settings()
    try:
        data = IssuerCreate.model_validate(
            {
                "slug": slug,
                "name": name,
                "url": url,
                "email": email,
                "description": description,
                "key_type": key_type,
            }
        )
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        with _session(settings) as session:
            issuer_service.create_issuer(
                session, _keyring(settings, session), data, now=SystemClock().now(), actor=CLI_ACTOR
            )
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"created issuer {slug}")
    typer.echo(f"DID: {issuer_did(settings.public_url, slug)}")
    typer.echo(f"DID document: {settings.public_url}/issuers/{slug}/did.json")


@keys_cli.command("rotate")
def keys_rotate(
    issuer: Annotated[str, typer.Option(help="Issuer slug")],
    key_type: Annotated[str | None, typer.Option(help="Ed25519 or P-256")] = None,
) -> None:
    """Make a new key the issuer's signer; earlier keys keep verifying."""
    settings = _settings()
    if key_type not in (None, "Ed25519", "P-256"):
        typer.echo("error: --key-type is Ed25519 or P-256", err=True)
        raise typer.Exit(2)
    try:
        with _session(settings) as session:
            key = issuer_service.rotate_key(
                session,
                _keyring(settings, session),
                issuer,
                key_type=key_type,
                now=SystemClock().now(),
                actor=CLI_ACTOR,
                public_url=settings.public_url,
            )
    except AppError as exc:
        raise _fail(exc) from None
    typer.echo(f"{issuer}: {key.fragment} ({key.key_type}) is now the active key")


@cli.command()
def verify(
    source: Annotated[
        str, typer.Argument(help="Credential file (JSON-LD, VC-JWT, PDF, PNG or SVG), or -")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Verify a credential; exit 0 if verified, 1 if not, 2 if the input is unreadable."""
    import json
    from pathlib import Path

    # Imported here: JSON-LD and schema loading would slow every other command down.
    from app.proofs.extract import ExtractionError, extract_baked
    from app.verification import standalone
    from app.verification.inputs import InputRejected
    from app.verification.report import render_text

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        # A PDF certificate or a baked badge carries the credential inside it.
        baked = extract_baked(data)
        value = baked if baked is not None else standalone.read_text(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, InputRejected, ExtractionError) as exc:
        typer.echo(f"error: cannot read {source}: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = _settings()
    now = SystemClock().now()
    with standalone.own_documents(settings, now=now) as own:
        report = standalone.verify(value, settings, now=now, own=own)
    if as_json:
        typer.echo(json.dumps(report.to_json(problem_base=f"{settings.public_url}/problems")))
    else:
        typer.echo(render_text(report))
    raise typer.Exit(0 if report.verified else 1)


@cli.command()
def demo() -> None:
    """Seed a demo issuer, achievement and credential, and print their links."""
    settings = _settings()
    migrate.upgrade(settings.schema_database_url)
    with _session(settings) as session:
        seeded = seed_demo(
            session,
            _keyring(settings, session),
            now=SystemClock().now(),
            public_url=settings.public_url,
        )
    base = settings.public_url
    typer.echo(f"issuer DID:        {seeded.did}")
    typer.echo(f"DID document:      {base}/issuers/{DEMO_SLUG}/did.json")
    typer.echo(f"issuer profile:    {base}/issuers/{DEMO_SLUG}")
    typer.echo(f"credential page:   {seeded.credential_url}")
    for suffix in ("json", "jwt", "pdf", "png", "svg"):
        typer.echo(f"credential .{suffix:<4}  {seeded.credential_url}.{suffix}")
    typer.echo(f"verify page:       {base}/verify")


CSV_CHUNK = 100


@cli.command("issue")
def issue_csv(
    issuer: Annotated[str, typer.Option(help="Issuer slug")],
    achievement: Annotated[str, typer.Option(help="Achievement id")],
    csv_file: Annotated[typer.FileText, typer.Option("--csv", help="CSV file, '-' for stdin")],
    results_path: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Results CSV (row,credential_id,page,error); default: next to the input as "
            "NAME.results.csv, none for stdin",
        ),
    ] = None,
) -> None:
    """Issue one credential per CSV row (columns: name,email,did,external_id,valid_from,
    valid_until,credits_earned). Interrupt at any time and re-run: issued rows are replayed,
    never duplicated (rows without an external_id get one derived from their content)."""
    settings = _settings()
    try:
        rows = list(read_csv_rows(csv_file, achievement))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if results_path is None and csv_file.name not in ("-", "<stdin>"):
        source = Path(csv_file.name)
        results_path = source.with_name(f"{source.stem}.results.csv")
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    issued = failed = 0
    interrupted = False
    with contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)
        writer = None
        if results_path is not None:
            out = stack.enter_context(results_path.open("w", newline="", encoding="utf-8"))
            writer = csv.writer(out)
            writer.writerow(RESULT_COLUMNS)
        with factory() as session:
            keyring = _keyring(settings, session)
            session.commit()
        progress = stack.enter_context(_progress())
        task = progress.add_task("issuing", total=len(rows))
        try:
            for start in range(0, len(rows), CSV_CHUNK):
                chunk_rows = rows[start : start + CSV_CHUNK]
                outcomes = _issue_rows(settings, factory, keyring, issuer, chunk_rows)
                for row, (credential_id, error) in zip(chunk_rows, outcomes, strict=True):
                    page = ""
                    if credential_id is not None:
                        issued += 1
                        page = credential_service.credential_url(settings.public_url, credential_id)
                        typer.echo(f"{row.line},{credential_id},{page}")
                    else:
                        failed += 1
                        typer.echo(f"line {row.line}: {error}", err=True)
                    if writer is not None:
                        writer.writerow([row.line, credential_id or "", page, error or ""])
                if writer is not None:
                    out.flush()
                progress.advance(task, len(chunk_rows))
        except KeyboardInterrupt:
            # The chunk in progress rolled back with its session; everything before it is
            # committed and replays on the next run.
            interrupted = True
    if interrupted:
        typer.echo(
            f"interrupted after {issued + failed} of {len(rows)} rows (issued {issued}); "
            "re-run the same command to continue: issued rows are not issued again",
            err=True,
        )
        raise typer.Exit(130)
    if results_path is not None:
        typer.echo(f"results: {results_path}", err=True)
    typer.echo(f"issued {issued}, failed {failed}", err=True)
    if failed:
        raise typer.Exit(1)


class _RateColumn(ProgressColumn):
    """Credentials per second, averaged by rich over the last chunks."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} credentials/s" if speed else "", style="cyan")


def _progress() -> Progress:
    """A progress bar on stderr with the rate and the time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )


def _issue_rows(
    settings: Settings, factory: sessionmaker[Session], keyring: KeyRing, issuer: str,
    rows: list[CsvRow],
) -> list[tuple[str | None, str | None]]:  # fmt: skip
    """(credential id, error) per row; the valid rows of the chunk committed together."""
    outcomes: list[tuple[str | None, str | None]] = [(None, r.error) for r in rows]
    valid = [(i, r.body) for i, r in enumerate(rows) if r.request is not None and r.body]
    if not valid:
        return outcomes
    with factory() as session:
        try:
            context = issuer_service.load_context(session, issuer, public_url=settings.public_url)
        except AppError as exc:
            return [
                (None, exc.detail) if r.request else o for r, o in zip(rows, outcomes, strict=True)
            ]
        results = chunk_service.issue_chunk(
            session, keyring, context, [body for _, body in valid], first_index=0,
            now=SystemClock().now(), actor=CLI_ACTOR, public_url=settings.public_url,
        )  # fmt: skip
        session.commit()
    for (position, _body), result in zip(valid, results, strict=True):
        if "error" in result:
            outcomes[position] = (None, str(result["error"]["detail"]))
        else:
            outcomes[position] = (str(result["id"]), None)
    return outcomes


@keys_cli.command("master-key")
def keys_master_key() -> None:
    """Print a new random master secret for LEARNPROOF_MASTER_KEY."""
    typer.echo(new_master_secret())


def main() -> None:
    cli(prog_name="learnproof")


if __name__ == "__main__":
    main()
