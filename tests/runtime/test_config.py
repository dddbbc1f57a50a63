"""Settings: a missing or malformed setting is one readable paragraph, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import migrate
from bot.runtime.cli import build_parser
from bot.runtime.migrate import current_heads
from bot.runtime.settings import (
    SLACK_API_URL,
    ConfigError,
    load_database_settings,
    load_settings,
)
from bot.store.engine import create_engine
from tests import cli_process

BOT_TOKEN = "xoxb-1234-5678-abcdef"
SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
APP_TOKEN = "xapp-1-A0123-4567-abcdef"
VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "LOOPKEEPER_ADMINS",
    "HOST",
    "PORT",
    "LOG_LEVEL",
    "WEB_CONCURRENCY",
    "DATABASE_POOL_SIZE",
    "DATABASE_STATEMENT_POOL_SIZE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the shell or from a .env file in the working directory."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)


def config_error(**kwargs: Any) -> str:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, **kwargs)
    return str(error.value)


def test_good_settings_load_with_defaults(slack_env: None) -> None:
    settings = load_settings(_env_file=None)
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.slack_app_token is None
    assert settings.slack_api_url == SLACK_API_URL
    assert settings.database_url == "sqlite:///loopkeeper.db"
    assert settings.loopkeeper_admins == frozenset()
    assert settings.port == 3000


def test_log_settings_are_taken_in_any_case(
    slack_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`LOG_LEVEL=info` is what people write; it was refused."""
    monkeypatch.setenv("LOG_LEVEL", "info")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    settings = load_settings(_env_file=None)
    assert (settings.log_level, settings.log_format) == ("INFO", "json")


def test_missing_bot_token_names_it_and_says_where_to_find_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    message = config_error()
    assert "SLACK_BOT_TOKEN is not set" in message
    assert "'OAuth & Permissions'" in message
    assert "README.md, section 'Configuration'" in message
    assert "SLACK_SIGNING_SECRET" not in message


def test_missing_signing_secret_names_it_and_says_where_to_find_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    message = config_error()
    assert "SLACK_SIGNING_SECRET is not set" in message
    assert "'Basic Information'" in message
    assert "README.md, section 'Configuration'" in message


def test_both_missing_are_named_in_one_paragraph() -> None:
    message = config_error()
    assert "SLACK_BOT_TOKEN is not set" in message
    assert "SLACK_SIGNING_SECRET is not set" in message
    assert "\n" not in message


def test_settings_come_from_a_dotenv_file_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
    )
    assert load_settings().slack_bot_token.get_secret_value() == BOT_TOKEN


def test_a_token_that_is_not_a_bot_token_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token-secret")
    message = config_error()
    assert "SLACK_BOT_TOKEN is invalid" in message
    assert "xoxb-" in message
    assert "xoxp-user-token-secret" not in message


def test_the_postgresql_pool_is_a_setting(monkeypatch: pytest.MonkeyPatch, slack_env: None) -> None:
    """A worker opens this many PostgreSQL connections and never more: a fixed pool of
    25 kept and 25 opened in a burst had two replicas under a 100-connection limit
    answer "too many clients already"."""
    assert load_settings(_env_file=None).database_pool_size == 10
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    assert load_settings(_env_file=None).database_pool_size == 8
    engine = create_engine("postgresql://u@127.0.0.1:1/x", pool_size=8)
    assert (engine.pool.size(), engine.pool._max_overflow) == (8, 0)  # type: ignore[attr-defined]
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    message = config_error()
    assert "DATABASE_POOL_SIZE is invalid" in message and "from 1 to 500" in message


def test_the_statement_pool_is_a_setting(monkeypatch: pytest.MonkeyPatch, slack_env: None) -> None:
    """The connections for a scorecard's transaction and point reads (postgresql_raw):
    a database far from the app wants more of them on the wire at once."""
    assert load_settings(_env_file=None).database_statement_pool_size is None
    monkeypatch.setenv("DATABASE_STATEMENT_POOL_SIZE", "6")
    assert load_settings(_env_file=None).database_statement_pool_size == 6
    monkeypatch.setenv("DATABASE_STATEMENT_POOL_SIZE", "0")
    message = config_error()
    assert "DATABASE_STATEMENT_POOL_SIZE is invalid" in message and "from 1 to 100" in message


def test_the_example_s_placeholders_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """.env.example copied as it was gave `xoxb-...` and `...`: they passed, `start`
    served Slack with them, and its example admin id became the only admin."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-...")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "...")
    message = config_error()
    assert "SLACK_BOT_TOKEN is invalid" in message and "placeholder" in message
    assert "SLACK_SIGNING_SECRET is invalid" in message
    # The example now sets nothing: copied as it is, `make run` is the playground.
    example = Path(__file__).resolve().parents[2] / ".env.example"
    settings = [
        line for line in example.read_text().splitlines() if line and not line.startswith("#")
    ]
    assert settings == []


def test_a_blank_signing_secret_is_refused(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "   ")
    assert "SLACK_SIGNING_SECRET is invalid" in config_error()


def test_app_token_is_needed_only_for_socket_mode(slack_env: None) -> None:
    assert load_settings(_env_file=None, socket_mode=False).slack_app_token is None
    message = config_error(socket_mode=True)
    assert "SLACK_APP_TOKEN is not set" in message
    assert "Socket Mode" in message
    assert "connections:write" in message


def test_socket_mode_starts_with_an_app_token(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    settings = load_settings(_env_file=None, socket_mode=True)
    assert settings.slack_app_token is not None
    assert settings.slack_app_token.get_secret_value() == APP_TOKEN


def test_an_app_token_of_the_wrong_kind_is_refused(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", BOT_TOKEN)
    message = config_error()
    assert "SLACK_APP_TOKEN is invalid" in message
    assert "xapp-" in message


@pytest.mark.parametrize(
    ("raw", "admins"),
    [
        ("U012AB3CD", {"U012AB3CD"}),
        ("U012AB3CD,W0987ZYX", {"U012AB3CD", "W0987ZYX"}),
        (" U012AB3CD , W0987ZYX ,, ", {"U012AB3CD", "W0987ZYX"}),
        ("U012AB3CD,U012AB3CD", {"U012AB3CD"}),
        ("", set()),
    ],
)
def test_admins_are_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, raw: str, admins: set[str]
) -> None:
    monkeypatch.setenv("LOOPKEEPER_ADMINS", raw)
    assert load_settings(_env_file=None).loopkeeper_admins == admins


@pytest.mark.parametrize("bad", ["alice", "u012ab3cd", "C012AB3CD", "@U012AB3CD", "U01-2AB"])
def test_admins_that_are_not_user_ids_are_refused(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, bad: str
) -> None:
    monkeypatch.setenv("LOOPKEEPER_ADMINS", f"W0987ZYX,{bad}")
    message = config_error()
    assert "LOOPKEEPER_ADMINS is invalid" in message
    assert f"{bad} is not a Slack user id" in message
    assert "W0987ZYX" not in message, "only the bad id is named"


def test_api_url_gets_its_trailing_slash(monkeypatch: pytest.MonkeyPatch, slack_env: None) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:8080/api")
    assert load_settings(_env_file=None).slack_api_url == "http://127.0.0.1:8080/api/"


def test_api_url_with_its_slash_is_kept(monkeypatch: pytest.MonkeyPatch, slack_env: None) -> None:
    monkeypatch.setenv("SLACK_API_URL", "https://slack.example/api/")
    assert load_settings(_env_file=None).slack_api_url == "https://slack.example/api/"


def test_api_url_must_be_http(monkeypatch: pytest.MonkeyPatch, slack_env: None) -> None:
    monkeypatch.setenv("SLACK_API_URL", "slack.com/api")
    assert "SLACK_API_URL is invalid" in config_error()


@pytest.mark.parametrize(
    "url",
    ["sqlite:///x.db", "postgresql://u:p@db/x", "postgres://u@db/x", "postgresql+asyncpg://db/x"],
)
def test_known_database_urls_are_accepted(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_settings(_env_file=None).database_url == url


def test_an_unknown_database_scheme_is_refused(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/loopkeeper")
    message = config_error()
    assert "DATABASE_URL is invalid" in message
    assert "sqlite:///" in message
    assert "postgresql://" in message


def test_migrate_needs_no_slack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    assert load_database_settings(_env_file=None).database_url == "sqlite:///elsewhere.db"
    monkeypatch.setenv("DATABASE_URL", "oracle://db")
    with pytest.raises(ConfigError, match="DATABASE_URL is invalid"):
        load_database_settings(_env_file=None)


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_refused(monkeypatch: pytest.MonkeyPatch, slack_env: None, port: str) -> None:
    monkeypatch.setenv("PORT", port)
    assert "PORT is invalid" in config_error()


def test_web_concurrency_is_one_unless_set(
    monkeypatch: pytest.MonkeyPatch, slack_env: None
) -> None:
    assert load_settings(_env_file=None).web_concurrency == 1
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    assert load_settings(_env_file=None).web_concurrency == 2


@pytest.mark.parametrize("workers", ["0", "-1", "two", "1.5", "100"])
def test_a_bad_web_concurrency_is_refused(
    monkeypatch: pytest.MonkeyPatch, slack_env: None, workers: str
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", workers)
    message = config_error()
    assert "WEB_CONCURRENCY is invalid" in message
    assert "worker processes" in message
    assert "\n" not in message


@pytest.mark.parametrize("workers", ["0", "two"])
def test_serve_refuses_a_bad_workers_option(
    capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--workers", workers])
    assert exit_.value.code == 2
    assert f"--workers: {workers!r} is not a number of workers from 1 to 64" in (
        capsys.readouterr().err
    )
    assert build_parser().parse_args(["serve", "--workers", "2"]).workers == 2


# The `loopkeeper` command ------------------------------------------------------------


def loopkeeper(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed command (or the module) with a clean environment."""
    script = Path(sys.executable).parent / "loopkeeper"
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ.update(env)
    # Its own process, forked from one with the libraries imported (tests/cli_process.py);
    # test_module_entry_point_behaves_the_same starts one cold.
    return cli_process.run(
        args,
        cwd=cwd,
        env=environ,
        script=script if script.exists() else None,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_without_slack_settings_explains_in_one_paragraph(tmp_path: Path) -> None:
    result = loopkeeper("serve", cwd=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    error = result.stderr.strip()
    assert "SLACK_BOT_TOKEN is not set" in error
    assert "\n" not in error
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_module_entry_point_behaves_the_same(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "serve"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k not in VARIABLES},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def schema(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str]]]:
    with sqlite3.connect(path) as connection:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    return tables, versions


def test_migrate_creates_the_schema_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "x.db"
    url = f"sqlite:///{database}"

    first = loopkeeper("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    [head] = current_heads()
    assert first.stdout.strip() == f"Database migrated from empty to {head}."
    tables, versions = schema(database)
    assert {"role", "role_recruiter", "candidate", "stage_event", "alembic_version"} <= {
        name for name, _ in tables
    }
    assert len(versions) == 1

    second = loopkeeper("migrate", cwd=tmp_path, DATABASE_URL=url)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"Database is at {head}: nothing to do."
    assert schema(database) == (tables, versions)


def test_a_schema_from_a_newer_release_is_served_on_and_explained(tmp_path: Path) -> None:
    """Mid-deploy, a newer release migrated the database: this release's replicas stay in
    the load balancer (its migrations only add) but do not start on it, and a downgrade
    to a revision it does not know is one line saying what to do, not a traceback."""
    database = tmp_path / "x.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)  # in this process: the commands under test are the next two
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()

    down = loopkeeper("downgrade", "-1", cwd=tmp_path, DATABASE_URL=url)
    assert down.returncode == 2 and "Traceback" not in down.stderr, down.stderr
    assert "The database is at 9999 (a newer release migrated it" in down.stderr
    refused = loopkeeper("templates", "list", cwd=tmp_path, DATABASE_URL=url)
    assert "newer than this release of Loopkeeper knows" in refused.stderr, refused.stderr


def test_a_downgrade_that_would_forget_erasures_asks_first(tmp_path: Path) -> None:
    """The README's rollback (`downgrade 0016`) dropped the digests that keep an erased
    candidate from coming back in a later import, and said only "downgraded"."""
    database = tmp_path / "x.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO role (title, title_key, hiring_manager_id, channel_id, created_by, "
            "created_at, template, status, loop_days, feedback_hours, decision_hours, "
            "offer_hours, idle_hours, reminder_minutes) VALUES ('R', 'r', 'U1', 'C1', 'U1', "
            "'2026-01-01 00:00:00', 'mlops', 'open', 7, 24, 48, 48, 48, 30)"
        )
        connection.execute(
            "INSERT INTO candidate (role_id, name, name_key, stage, stage_entered_at, "
            "created_by, created_at, erased_name_digest) VALUES (1, 'Erased', 'erased', "
            "'rejected', '2026-01-01 00:00:00', 'U1', '2026-01-01 00:00:00', 'abc')"
        )
    connection.close()

    refused = loopkeeper("downgrade", "0016", cwd=tmp_path, DATABASE_URL=url)
    assert refused.returncode == 2, refused.stderr
    assert "undoes revision 0017, and with it what keeps 1 erased candidate" in refused.stderr
    assert "--forget-erasures" in refused.stderr and "Nothing changed." in refused.stderr
    kept = loopkeeper("downgrade", "0017", cwd=tmp_path, DATABASE_URL=url)
    assert kept.returncode == 0 and "to 0017" in kept.stdout, kept.stderr
    forced = loopkeeper("downgrade", "0016", "--forget-erasures", cwd=tmp_path, DATABASE_URL=url)
    assert forced.returncode == 0 and "to 0016" in forced.stdout, forced.stderr


def test_migrate_with_a_bad_database_url_explains(tmp_path: Path) -> None:
    result = loopkeeper("migrate", cwd=tmp_path, DATABASE_URL="mysql://db/x")
    assert result.returncode == 2
    assert "DATABASE_URL is invalid" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_start_up_line_names_a_sqlite_file_by_its_full_path(tmp_path: Path) -> None:
    """The log said `sqlite:///loopkeeper.db`: a file relative to wherever the command
    ran, so a `migrate` from another directory made a second, empty database unseen."""
    from bot.runtime.cli import _without_password

    assert _without_password("sqlite:///loopkeeper.db") == f"sqlite:///{tmp_path}/loopkeeper.db"
    assert _without_password("postgresql://u:secret@db/x") == "postgresql://u:***@db/x"
