"""`loopkeeper` commands: start, serve, playground, migrate, downgrade, sweep, import,
export, admin add, erase, templates (check, install, list)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.runtime.settings import ConfigError, Settings, load_database_settings, load_settings

if TYPE_CHECKING:  # the commands import what they need when run: start-up stays light
    from bot.domain.scorecards import TemplateProblems

log = logging.getLogger("loopkeeper")


def _logging(level: str = "INFO", fmt: str = "auto") -> None:
    from bot.runtime.logs import configure

    configure(level, fmt)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def migrate(args: argparse.Namespace) -> int:
    return _move_schema(args.revision, up=True)


def downgrade(args: argparse.Namespace) -> int:
    url = load_database_settings().database_url
    if not args.forget_erasures and (kept := asyncio.run(_erasures_undone(url, args.revision))):
        return _fail(
            f"Downgrading to {args.revision!r} undoes revision 0017, and with it what keeps "
            f"{kept} erased candidate{'s' if kept != 1 else ''} from being imported again "
            "(a digest of their email and name, never the text): a file with them in it "
            "would bring them back. Roll back to 0017 or later, or pass --forget-erasures "
            "if you accept that (re-import no file of theirs until you upgrade again). "
            "Nothing changed."
        )
    return _move_schema(args.revision, up=False)


async def _erasures_undone(url: str, target: str) -> int:
    """How many erased candidates' digests a downgrade to `target` would drop: 0 unless
    it undoes revision 0017 (which added them) and some are kept."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError
    from sqlalchemy import text

    from bot.runtime.migrate import alembic_config, schema_revision
    from bot.store.engine import Database

    db = Database(url)
    try:
        current = await schema_revision(db)
        if current is None:
            return 0
        script = ScriptDirectory.from_config(alembic_config(url))
        try:
            undone = {s.revision for s in script.iterate_revisions(current, target)}
        except (CommandError, RevisionError):
            return 0  # an unknown target: the downgrade itself says so
        if "0017" not in undone or target == "0017":
            return 0
        async with db.engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT count(*) FROM candidate WHERE erased_email_digest IS NOT NULL "
                    "OR erased_name_digest IS NOT NULL"
                )
            )
            return int(found.scalar_one())
    finally:
        await db.close()


def _move_schema(revision: str, *, up: bool) -> int:
    """Upgrade or downgrade, saying from which revision to which; a revision this release
    does not know is one line, not Alembic's traceback."""
    from alembic.util import CommandError

    from bot.runtime import migrate as alembic

    url = load_database_settings().database_url
    before = asyncio.run(_revision_of(url))
    try:
        (alembic.upgrade if up else alembic.downgrade)(url, revision)
    except CommandError as error:
        known = ", ".join(alembic.current_heads())
        newer = " (a newer release migrated it: run this command with that release)"
        return _fail(
            f"Cannot {'migrate' if up else 'downgrade'} to {revision!r}: {error}. The "
            f"database is at {before or 'no revision'}"
            + (newer if alembic.is_newer(before) else "")
            + f"; this release's newest revision is {known}."
        )
    after = asyncio.run(_revision_of(url))
    if before == after:
        print(f"Database is at {after or 'no revision'}: nothing to do.")
    else:
        print(
            f"Database {'migrated' if up else 'downgraded'} from {before or 'empty'} to "
            f"{after or 'no revision (empty of tables)'}."
        )
    return 0


async def _revision_of(url: str) -> str | None:
    from bot.runtime.migrate import schema_revision
    from bot.store.engine import Database

    db = Database(url)
    try:
        return await schema_revision(db)
    finally:
        await db.close()


async def _check_schema(settings: Settings) -> None:
    from bot.runtime.migrate import check_schema
    from bot.store.engine import Database

    db = Database(settings.database_url)
    try:
        await check_schema(db)
    finally:
        await db.close()


def serve(args: argparse.Namespace) -> int:
    from bot.domain.scorecards import TemplateError, templates
    from bot.runtime.migrate import SchemaOutOfDate

    settings = load_settings(socket_mode=args.socket)
    _logging(settings.log_level, settings.log_format)
    try:
        templates()  # a broken template file stops start-up here, not at the first modal
    except TemplateError as error:
        return _fail(f"Loopkeeper cannot start: a scorecard template is not usable. {error}")
    try:
        asyncio.run(_check_schema(settings))
    except SchemaOutOfDate as error:
        return _fail(str(error))
    workers = args.workers or settings.web_concurrency
    log.info(
        "database %s; Slack Web API %s",
        _without_password(settings.database_url),
        settings.slack_api_url,
    )
    if args.socket:
        if workers > 1:
            log.info("Socket Mode runs one process; WEB_CONCURRENCY and --workers are ignored")
        from bot.slack.app import AppTokenRefused

        try:
            _run_fast(_serve_socket(settings))
        except AppTokenRefused as refused:
            return _fail(
                f"Slack refused SLACK_APP_TOKEN ({refused}). Create an App-Level Token with "
                "the connections:write scope (Basic Information, App-Level Tokens) and set "
                "it; README.md, section 'HTTP or Socket Mode'."
            )
        return 0
    import uvicorn

    from bot.runtime import workers as workers_module
    from bot.slack.app import SHUTDOWN_GRACE_SECONDS, create_asgi, settle_gc

    host = args.host or settings.host
    port = args.port or settings.port
    # uvicorn answers SIGTERM by finishing the requests in flight, then the app's
    # lifespan lets the running sweep finish (bot.slack.app).
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level.lower(),
        "log_config": None,  # keep bot.runtime.logs' handlers (JSON lines in production)
        "timeout_graceful_shutdown": int(SHUTDOWN_GRACE_SECONDS),
    }
    if workers == 1:
        log.info("serving Slack requests on http://%s:%d/slack/events", host, port)
        app = create_asgi(settings)
        settle_gc()
        uvicorn.run(app, **options)
        return 0
    log.info(
        "serving Slack requests on http://%s:%d/slack/events with %d worker processes",
        host,
        port,
        workers,
    )
    # Each worker counts its own requests; in prometheus_client's multiprocess mode
    # they write to files in one directory, which GET /metrics adds up (bot.runtime.metrics).
    # uvicorn spawns fresh interpreters, so the workers see the variable before they
    # import prometheus_client (this process's import of it is unaffected and unused).
    metrics_dir = tempfile.mkdtemp(prefix="loopkeeper-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        # Every worker runs the sweep scheduler; the sweep's lock lets one sweep at a time.
        if not workers_module.available():  # no SO_REUSEPORT: uvicorn's shared socket
            uvicorn.run(workers_module.APP, factory=True, workers=workers, **options)
            return 0
        workers_module.run(workers, options, grace_seconds=SHUTDOWN_GRACE_SECONDS)
    except OSError as error:
        return _fail(f"Loopkeeper cannot listen on {host}:{port}: {error.strerror or error}.")
    except workers_module.WorkerFailed as error:
        return _fail(f"Loopkeeper stopped: {error}; the lines above say why.")
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _without_password(url: str) -> str:
    """The database as the start-up line names it: no password, and a SQLite file by its
    full path (a relative one is a different file from another working directory)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database or "").resolve()))
    return parsed.render_as_string(hide_password=True)


def _run_fast(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it is installed, as uvicorn does for HTTP: the same event loop
    whichever way Slack reaches the app."""
    try:
        import uvloop
    except ImportError:  # not on Windows
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


async def _serve_socket(settings: Settings) -> None:
    """Socket Mode until Ctrl-C or SIGTERM; either lets the running sweep finish."""
    from bot.slack.app import create_socket_mode, settle_gc

    app = create_socket_mode(settings)
    settle_gc()
    # uvicorn stops gracefully on SIGTERM, what platforms send; asyncio.run only on Ctrl-C.
    terminated = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, terminated.set)
    try:
        await app.serve(until=terminated)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def sweep(args: argparse.Namespace) -> int:
    """Run the clock sweep once: for cron-style deployments, and to see what is due."""
    from datetime import UTC, datetime, timedelta

    from bot.runtime.migrate import check_schema
    from bot.slack.app import make_sweeper
    from bot.slack.deps import Deps
    from bot.store.engine import Database

    settings = load_settings()
    _logging(settings.log_level, settings.log_format)
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            return _fail(f"--now {args.now!r} is not an ISO-8601 time, e.g. 2026-11-23T09:00:00Z.")
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
        if now > datetime.now(UTC) + timedelta(minutes=5) and not (args.dry_run or args.force):
            # A real sweep "as of" later sends alerts before their time and records this
            # week's report as sent, so the real one never goes.
            return _fail(
                f"--now {args.now} is in the future: a real sweep would send alerts early "
                "and record the weekly report as sent. Add --dry-run to see what would go "
                "then, or --force if you mean it."
            )
    else:
        now = datetime.now(UTC)

    async def once() -> list[str]:
        deps = Deps(settings=settings, db=Database(settings.database_url))
        try:
            await check_schema(deps.db)
            sweeper = make_sweeper(deps)
            if args.dry_run:
                return await sweeper.dry_run(now)
            return (await sweeper.run(now)).lines()
        finally:
            await deps.db.close()

    from bot.runtime.migrate import SchemaOutOfDate

    try:
        lines = asyncio.run(once())
    except SchemaOutOfDate as error:
        return _fail(str(error))
    print(f"Sweep as of {now:%Y-%m-%d %H:%M UTC}{' (dry run)' if args.dry_run else ''}:")
    for line in lines:
        print(f"  {line}")
    # From cron, a failed delivery must fail the job (its monitoring sees the exit code).
    return 1 if any(line.startswith("FAILED ") for line in lines) else 0


def check_template(args: argparse.Namespace) -> int:
    """The checks `templates install` makes, without the database: each problem with its
    line (exit 1), or what the template holds. (A name like the file's is the rule for
    the shipped templates in bot/templates/, not for a file to install.)"""
    from bot.domain.scorecards import TEMPLATE_DIR, TemplateError, TemplateProblems, load_template
    from bot.usecases import templates

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        return _fail(f"Cannot read {args.file}: {error.strerror or error}.")
    try:
        if path.resolve().parent == TEMPLATE_DIR.resolve():
            template = load_template(path)  # a shipped one: its own rules (named as its file)
        else:
            template = templates.check_text(templates.decode(data, args.file), args.file)
    except TemplateProblems as error:
        _print_problems(args.file, error)
        return 1
    except TemplateError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    stages = ", ".join(s.name for s in template.plan)
    takehome = template.takehome
    parts = (
        f"; take-home: {takehome.hours} h, {takehome.window_hours} h window, parts "
        + ", ".join(p.name for p in takehome.parts)
        if takehome
        else ""
    )
    print(
        f"{args.file}: template {template.name!r} ({template.title}) is valid: "
        f"{len(template.competencies)} competencies; interview plan: {stages}{parts}."
    )
    return 0


def _print_problems(file: str, error: TemplateProblems) -> None:
    count = len(error.problems)
    print(f"{file}: {count} problem{'' if count == 1 else 's'}:", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem}", file=sys.stderr)


def install_template(args: argparse.Namespace) -> int:
    """Install a scorecard template file as the next version of its name, as an admin's
    Install button does: each problem with its line (exit 1), or the version installed."""
    import getpass
    from datetime import UTC, datetime

    from bot.domain.scorecards import TemplateProblems
    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.usecases import templates

    settings = load_database_settings()
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        return _fail(f"Cannot read {args.file}: {error.strerror or error}.")
    who = (args.by or f"cli:{getpass.getuser()}")[:32]

    async def go() -> templates.Installed:
        db = Database(settings.database_url)
        try:
            await check_schema(db)
            return await templates.install(
                db,
                user_id=who,
                source_name=args.file,
                data=data,
                now=datetime.now(UTC),
                operator=True,
            )
        finally:
            await db.close()

    try:
        done = asyncio.run(go())
    except SchemaOutOfDate as error:
        return _fail(str(error))
    except TemplateProblems as error:
        _print_problems(args.file, error)
        return 1
    if done.new:
        print(f"Installed {done.key} ({done.template.title}); roles pick it as {done.key}.")
    else:
        print(f"{args.file} is installed already as {done.key}; nothing changed.")
    return 0


def list_templates(args: argparse.Namespace) -> int:
    """The shipped templates, then every installed version, newest first."""
    from bot.domain.scorecards import templates as shipped
    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.store.tables import TemplateVersion
    from bot.usecases import templates

    settings = load_database_settings()

    async def go() -> list[TemplateVersion]:
        db = Database(settings.database_url)
        try:
            await check_schema(db)
            return await templates.installed(db)
        finally:
            await db.close()

    try:
        versions = asyncio.run(go())
    except SchemaOutOfDate as error:
        return _fail(str(error))
    for name, template in shipped().items():
        print(f"{name}  built in: {template.title}")
    for row in versions:
        print(
            f"{row.name}@v{row.version}  installed {row.installed_at:%Y-%m-%d %H:%M} UTC "
            f"by {row.installed_by}"
        )
    return 0


PROGRESS_FROM_ROWS = 2000  # smaller files import in a blink: no bar


def _progress_bar(total: int) -> Any:
    """A one-line bar on stderr when it is a terminal and the file is big, else None."""
    if total < PROGRESS_FROM_ROWS or not sys.stderr.isatty():
        return None

    def show(done: int, of: int) -> None:
        width = 30
        filled = width * done // max(of, 1)
        end = "\n" if done >= of else ""
        print(
            f"\r  [{'#' * filled}{'.' * (width - filled)}] {done:,}/{of:,}",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _preview_lines(preview: Any, path: str) -> list[str]:
    """The preview as a small table, then every problem with its line and column."""
    separator = {",": "comma", ";": "semicolon", "\t": "tab"}[preview.delimiter]
    table = [
        ("rows", preview.total),
        ("new", len(preview.new)),
        ("already in Loopkeeper", len(preview.present)),
        ("repeated in the file", len(preview.duplicates)),
        ("erased at their request", len(preview.erased)),
        ("with problems", preview.problem_rows),
    ]
    lines = [f"{path}: {preview.encoding}, {separator}-separated"]
    lines += [f"  {label:<24}{count:>8,}" for label, count in table]
    for role in preview.roles:
        count = sum(1 for row in preview.new if row.role.id == role.id)
        lines.append(f"  new in {role.title}: {count:,}")
    if preview.problems or preview.duplicates or preview.erased:
        lines.append("Left out:")
        lines += [f"  {problem}" for problem in preview.problems]
        lines += [
            f"  line {d.row.line}: repeats line {d.first_line} ({d.row.role.title})"
            for d in preview.duplicates
        ]
        lines += [
            f"  line {p.row.line}: {p.row.name}: erased at their request (candidate "
            f"#{p.candidate_id}), not brought back; if they applied again, add them by hand"
            for p in preview.erased
        ]
    return lines


def import_candidates(args: argparse.Namespace) -> int:
    """Import a CSV of candidates: a preview, then (without --dry-run) the import, in one
    transaction."""
    import getpass
    from datetime import UTC, datetime

    from sqlalchemy.exc import DataError, IntegrityError

    from bot.domain.candidate_csv import MAX_BYTES
    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.usecases import importer
    from bot.usecases.errors import NotAllowed

    settings = load_database_settings()
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        return _fail(f"Cannot read {args.file}: {error.strerror or error}.")
    if len(data) > MAX_BYTES:
        return _fail(f"{args.file} is over {MAX_BYTES // 2**20} MB; split it into smaller files.")
    who = importer.Importer(args.by or f"cli:{getpass.getuser()}"[:32], operator=True)

    async def go() -> int | None:
        db = Database(settings.database_url)
        try:
            await check_schema(db)
            preview = await importer.preview(db, importer=who, data=data, role_title=args.role)
            if isinstance(preview, importer.NeedsRole):
                titles = ", ".join(r.title for r in preview.roles)
                raise NotAllowed(f"The file has no role column: pass --role (one of: {titles}).")
            print("\n".join(_preview_lines(preview, args.file)))
            if args.dry_run or not preview.new:
                return None
            done = await importer.run(
                db,
                importer=who,
                filename=Path(args.file).name,
                data=data,
                role_title=args.role,
                now=datetime.now(UTC),
                progress=_progress_bar(len(preview.new)),
            )
            return len(done.candidate_ids)
        finally:
            await db.close()

    try:
        imported = asyncio.run(go())
    except (SchemaOutOfDate, NotAllowed, importer.ImportFileError) as error:
        return _fail(str(error))
    except (IntegrityError, DataError) as error:  # the transaction rolled back
        return _fail(importer.failed_message(error))
    if imported is None:
        print("Dry run: nothing imported." if args.dry_run else "Nothing new to import.")
    else:
        print(f"Imported {imported:,} candidates in one transaction.")
    return 0


def export_candidates(args: argparse.Namespace) -> int:
    """Every candidate (of --role) to standard output, as CSV or JSON with their ids."""
    from datetime import UTC, datetime

    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.usecases import exports

    settings = load_database_settings()

    async def go() -> list[exports.ExportRow]:
        db = Database(settings.database_url)
        try:
            await check_schema(db)
            return await exports.rows_for(
                db, viewer_id=None, role_query=args.role or "", now=datetime.now(UTC)
            )
        finally:
            await db.close()

    try:
        rows = asyncio.run(go())
    except SchemaOutOfDate as error:
        return _fail(str(error))
    if args.format == "json":
        sys.stdout.write(exports.to_json(rows))
    else:
        sys.stdout.write(exports.to_csv(rows, with_id=True))
    if args.role and not rows:  # a typo read like an empty role: said, beside the file
        print(f"No candidate in a role matching “{args.role}”.", file=sys.stderr)
    return 0


def _erasure_lines(preview: Any) -> list[str]:
    c = preview.candidate
    return [
        f"Candidate #{c.id}: {c.name} ({preview.role.title}, {c.stage})",
        "Goes, for good:",
        f"  name, email ({c.email or 'none'}), {preview.links} links",
        f"  {preview.notes} history notes, {preview.scorecards} scorecard summaries, "
        f"{preview.evidence} evidence texts",
        f"  {preview.takehome_texts} take-home notes/links, {preview.grades} grade texts, "
        f"{preview.offers} offer terms, {preview.pauses} pause reasons",
        f"  the words of {preview.changes} recorded changes; "
        f"{preview.pending_alerts} alerts still to go are dropped",
        f"Stays: Erased candidate #{c.id}, {preview.stage_events} stages with their dates, "
        f"{preview.interviews} interviews, {preview.ratings} ratings.",
    ]


def add_admin(args: argparse.Namespace) -> int:
    """Make someone a Loopkeeper admin from the server's shell: the way back when every
    admin has left (LOOPKEEPER_ADMINS is read only while there is none), recorded as
    `/hire admin add` records it."""
    import getpass
    import re
    from datetime import UTC, datetime

    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.usecases import admin

    user_id = args.user_id.strip().upper()
    if not re.fullmatch(r"[UW][A-Z0-9]{2,31}", user_id):
        return _fail(
            f"{args.user_id!r} is not a Slack user id. In Slack: their profile, ⋮ (More), "
            "Copy member ID; e.g. `loopkeeper admin add U012AB3CD`."
        )
    who = (args.by or f"cli:{getpass.getuser()}")[:32]

    async def run() -> tuple[str, bool | None]:
        refusal, named = await _slack_member(user_id)
        if refusal:
            return refusal, None
        db = Database(load_database_settings().database_url)
        try:
            await check_schema(db)
            now = datetime.now(UTC)
            added = await admin.add_admin(db, actor_id=who, user_id=user_id, now=now, operator=True)
            return named, added
        finally:
            await db.close()

    try:
        said, added = asyncio.run(run())
    except SchemaOutOfDate as error:
        return _fail(str(error))
    if added is None:
        return _fail(said)
    print(f"{said} is {'now' if added else 'already'} a Loopkeeper admin.")
    return 0


async def _slack_member(user_id: str) -> tuple[str, str]:
    """(refusal, name to print): what Slack says of `user_id` where this server has its
    Slack settings. A member id copied wrong, or a deactivated account, would make an
    admin nobody can act as, and the operator would learn it only when nobody could
    get in. A refusal when Slack has no such person; the id with their name when it
    has. Slack that cannot be asked (no settings here, or no answer) never stands in
    the way: this command is the way back in when nothing else works."""
    try:
        settings = load_settings()
    except ConfigError:
        print(f"Not checked with Slack (no Slack settings here): {user_id}.", file=sys.stderr)
        return "", user_id
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import make_sweep_client
    from bot.slack.notify import UNREACHABLE, refusal

    client = make_sweep_client(settings)
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
    except SlackApiError as error:
        said = refusal(error)
        if said == "user_not_found":
            return (
                f"Slack has no member {user_id} in this workspace; nothing changed. In "
                "Slack: their profile, ⋮ (More), Copy member ID.",
                "",
            )
        print(f"Not checked with Slack (it answered {said}): {user_id}.", file=sys.stderr)
        return "", user_id
    except UNREACHABLE as error:
        print(
            f"Not checked with Slack (unreachable: {type(error).__name__}): {user_id}.",
            file=sys.stderr,
        )
        return "", user_id
    if user.get("deleted"):
        return f"{user_id} is a deactivated Slack account; nothing changed.", ""
    if user.get("is_bot"):
        return f"{user_id} is a bot, not a person; nothing changed.", ""
    name = user.get("real_name") or (user.get("profile") or {}).get("real_name")
    return "", f"{user_id} ({name})" if name else user_id


def erase_candidate(args: argparse.Namespace) -> int:
    """Erase one candidate's personal data, as `/hire erase` does: what goes is shown
    first, and a terminal is asked to confirm (--yes answers for a script)."""
    import getpass
    from datetime import UTC, datetime

    from bot.runtime.migrate import SchemaOutOfDate, check_schema
    from bot.store.engine import Database
    from bot.usecases import erasure
    from bot.usecases.errors import NOT_FOUND, NotAllowed

    settings = load_database_settings()
    who = (args.by or f"cli:{getpass.getuser()}")[:32]

    async def with_db(work: Any) -> Any:
        db = Database(settings.database_url)
        try:
            await check_schema(db)
            return await work(db)
        finally:
            await db.close()

    try:
        preview = asyncio.run(
            with_db(
                lambda db: erasure.preview(db, user_id=who, candidate_id=args.id, operator=True)
            )
        )
    except (SchemaOutOfDate, NotAllowed) as error:
        # The Slack words ("among the roles you hire for") mean nothing at a shell.
        said = f"No candidate #{args.id} in this database." if str(error) == NOT_FOUND else error
        return _fail(str(said))
    print("\n".join(_erasure_lines(preview)))
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("Nothing erased: confirm on a terminal, or pass --yes from a script.")
        typed = input(f"Type {erasure.CONFIRM_WORD} to erase candidate #{args.id}: ")
        if typed.strip() != erasure.CONFIRM_WORD:
            print("Nothing erased.")
            return 1
    try:
        done = asyncio.run(
            with_db(
                lambda db: erasure.erase(
                    db, actor_id=who, candidate_id=args.id, now=datetime.now(UTC), operator=True
                )
            )
        )
    except (SchemaOutOfDate, NotAllowed) as error:
        return _fail(str(error))
    print(f"Erased: candidate #{done.candidate_id} is now “{done.name}”.")
    return 0


def playground(args: argparse.Namespace, why: str = "Loopkeeper playground") -> int:
    from bot.playground.people import PlaygroundError
    from bot.playground.server import serve_playground

    _logging("WARNING", "text")
    try:
        asyncio.run(
            serve_playground(host=args.host, port=args.port, fresh=args.fresh, headline=why)
        )
    except PlaygroundError as error:
        return _fail(f"The playground cannot start: {error}")
    except KeyboardInterrupt:
        pass
    return 0


def start(args: argparse.Namespace) -> int:
    """What `make run` runs: Slack when its settings are there, else the playground."""
    from bot.runtime.settings import slack_configured

    if not slack_configured():
        args.host, args.fresh = args.host or "127.0.0.1", False
        if args.port is None:  # PORT as in Slack mode (`PORT=3201 make run`), else 3000
            port = os.environ.get("PORT", "")
            args.port = int(port) if port.isdecimal() and 0 < int(port) < 65536 else 3000
        return playground(args, why="No Slack settings, so this is the playground")
    code = migrate(argparse.Namespace(revision="head"))
    if code:
        return code
    return serve(argparse.Namespace(socket=False, host=args.host, port=args.port, workers=None))


def _worker_count(text: str) -> int:
    if not text.isdecimal() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers from 1 to 64")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="loopkeeper", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    start_cmd = commands.add_parser(
        "start",
        help="migrate and serve Slack when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set; "
        "without them, the local playground (what `make run` does)",
    )
    start_cmd.add_argument("--host", help="overrides HOST")
    start_cmd.add_argument("--port", type=int, help="overrides PORT")
    start_cmd.set_defaults(run=start)

    play_cmd = commands.add_parser(
        "playground",
        help="try Loopkeeper in a browser without Slack: a pretend workspace on this machine",
    )
    play_cmd.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    play_cmd.add_argument("--port", type=int, default=3000, help="default 3000")
    play_cmd.add_argument(
        "--fresh",
        action="store_true",
        help="forget the playground's data (playground.db, playground.json) and seed anew",
    )
    play_cmd.set_defaults(run=playground)

    serve_cmd = commands.add_parser("serve", help="answer Slack (HTTP by default)")
    serve_cmd.add_argument("--socket", action="store_true", help="use Socket Mode instead")
    serve_cmd.add_argument("--host", help="overrides HOST")
    serve_cmd.add_argument("--port", type=int, help="overrides PORT")
    serve_cmd.add_argument(
        "--workers",
        type=_worker_count,
        metavar="N",
        help="worker processes over HTTP; overrides WEB_CONCURRENCY (default 1). "
        "Socket Mode runs one process and ignores it",
    )
    serve_cmd.set_defaults(run=serve)

    migrate_cmd = commands.add_parser("migrate", help="upgrade the database schema")
    migrate_cmd.add_argument("--revision", default="head", help="target revision (default head)")
    migrate_cmd.set_defaults(run=migrate)

    down_cmd = commands.add_parser("downgrade", help="downgrade the database schema")
    down_cmd.add_argument("revision", help="target revision, e.g. -1 or base")
    down_cmd.add_argument(
        "--forget-erasures",
        action="store_true",
        help="go below 0017 even though erased candidates' digests are then dropped",
    )
    down_cmd.set_defaults(run=downgrade)

    sweep_cmd = commands.add_parser("sweep", help="run the clock sweep once and exit")
    sweep_cmd.add_argument("--now", help="run as of this ISO-8601 time (default: now)")
    sweep_cmd.add_argument(
        "--force", action="store_true", help="run a real sweep with --now in the future"
    )
    sweep_cmd.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send and record nothing"
    )
    sweep_cmd.set_defaults(run=sweep)

    import_cmd = commands.add_parser(
        "import", help="import candidates from a CSV file: a preview, then one transaction"
    )
    import_cmd.add_argument("file", help="a CSV file, e.g. candidates.csv")
    import_cmd.add_argument("--role", help="the role (title) for rows that name none")
    import_cmd.add_argument(
        "--dry-run", action="store_true", help="print the preview; import nothing"
    )
    import_cmd.add_argument(
        "--by", help="who the history names as importer (default: cli:<your login>)"
    )
    import_cmd.set_defaults(run=import_candidates)

    export_cmd = commands.add_parser(
        "export", help="write every candidate (of --role) to standard output"
    )
    export_cmd.add_argument("--role", help="only roles whose title contains this")
    export_cmd.add_argument("--format", choices=["csv", "json"], default="csv")
    export_cmd.set_defaults(run=export_candidates)

    admin_cmd = commands.add_parser(
        "admin", help="make someone an admin from the server (when no admin is left)"
    )
    admin_sub = admin_cmd.add_subparsers(dest="admin_command", required=True)
    admin_add = admin_sub.add_parser("add", help="make a Slack user a Loopkeeper admin")
    admin_add.add_argument("user_id", help="their Slack member id, e.g. U012AB3CD")
    admin_add.add_argument(
        "--by", help="who the record names as having added them (default: cli:<your login>)"
    )
    admin_add.set_defaults(run=add_admin)
    erase_cmd = commands.add_parser(
        "erase", help="erase a closed candidate's personal data for good (GDPR)"
    )
    erase_cmd.add_argument(
        "id", type=int, help="the candidate's id, e.g. from export --format json"
    )
    erase_cmd.add_argument("--yes", action="store_true", help="do not ask to confirm (scripts)")
    erase_cmd.add_argument(
        "--by", help="who the record names as eraser, e.g. U123 (default: cli:<your login>)"
    )
    erase_cmd.set_defaults(run=erase_candidate)

    # `template` too: "loopkeeper template install x.toml" reads as naturally.
    templates_cmd = commands.add_parser(
        "templates", aliases=["template"], help="scorecard templates: check, install, list"
    )
    templates_sub = templates_cmd.add_subparsers(dest="templates_command", required=True)
    check_cmd = templates_sub.add_parser("check", help="validate a template file")
    check_cmd.add_argument("file", help="a TOML template, e.g. bot/domain/templates/mlops.toml")
    check_cmd.set_defaults(run=check_template)
    install_cmd = templates_sub.add_parser(
        "install", help="check a TOML template and install it as the next version of its name"
    )
    install_cmd.add_argument("file", help="a TOML template, e.g. acme-ml.toml")
    install_cmd.add_argument(
        "--by", help="who the record names as installer, e.g. U123 (default: cli:<your login>)"
    )
    install_cmd.set_defaults(run=install_template)
    list_cmd = templates_sub.add_parser(
        "list", help="the built-in templates and installed versions"
    )
    list_cmd.set_defaults(run=list_templates)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from sqlalchemy.exc import DBAPIError

    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as error:
        return _fail(str(error))
    except (OSError, DBAPIError) as error:
        reason = getattr(error, "orig", None) or error
        return _fail(
            f"Loopkeeper cannot reach its database ({reason.__class__.__name__}: {reason}). "
            "Check DATABASE_URL and that the database is running; README.md, section "
            "'Configuration'."
        )


if __name__ == "__main__":
    sys.exit(main())
