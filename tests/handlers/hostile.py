"""What the hostile-input tests share: hostile requests on every surface, posted as Slack
would post them (signed, or badly signed), one test file per surface (test_hostile_commands,
_buttons, _views, _events, _requests); their fixtures are in tests/handlers/conftest.py.

Properties, checked after every example (`Checker`):
- the HTTP status is never 5xx: a signed request gets 200 or a 4xx, a badly signed one 401;
- a badly signed request, or anything an outsider sends, changes no row of any table;
- what a legitimate user sends leaves the data whole: every candidate has the stage
  events that lead to its stage, every scorecard its ratings, every interview its seats;
- no listener and no after-the-answer task crashes (the error handler is never reached);
- every answer, message and view is Block Kit Slack would take; no answer is public;
- an outsider is never shown anything of a role they are not on.

Hypothesis does not drive async tests, so each property runs the Hypothesis engine in a
worker thread (`asyncio.to_thread`) and hands every example to the test's own event loop,
where the app fixture lives, with `asyncio.run_coroutine_threadsafe` (`hold`).

The bugs these tests found are fixed; each has its own regression test, under
"regressions" in the file of its surface. Their triggers are also kept out of the property
strategies (each place names the test), so a property failure points at something new.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import select as core_select
from sqlmodel import SQLModel, col, select

from bot.domain.names import Named, match_names
from bot.domain.scorecards import competencies_for, template_named
from bot.domain.stages import Stage
from bot.playground.sender import SlackSender
from bot.playground.standin import message_problems, view_problems
from bot.runtime.timesource import ManualClock
from bot.slack.app import make_sweeper
from bot.slack.blocks.common import esc
from bot.store.tables import (
    Candidate,
    Interview,
    Offer,
    Rating,
    Role,
    RoleRecruiter,
    Scorecard,
    Seat,
    StageEvent,
)
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    click,
    create_role,
    extend_offer,
    kit_for,
    last_view,
    open_scorecard,
    schedule,
    submit_scorecard,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM = (ADMIN, RECRUITER, HM, INTERVIEWER, INTERVIEWER_2)
PEOPLE = (*TEAM, OUTSIDER)
ROLE_TITLE = "MLOps Engineer"
JANE_EMAIL = "jane.doe@example.com"
# What only the role's people may read: an outsider is shown none of it (unless they typed it).
SECRETS = (ROLE_TITLE, JANE_EMAIL, f"<@{RECRUITER}>", f"<@{HM}>")
# Bookkeeping, not a fact about hiring: events may record their receipt, which raises
# the store's version, and app_home_opened the tab a person opened last.
RECEIPTS = frozenset({"event_receipt", "data_version", "app_tab"})

# Every action_id pattern and view callback_id the app registers (handlers/*.py).
ACTION_IDS = (
    "status_open",
    "move_open",
    "move_open_reject",
    "move_advance",
    "schedule_open",
    "scorecard_open",
    "scorecard_view",
    "offer_open",
    "offer_accepted",
    "offer_declined",
    "offer_decline_why",
    "offer_more_time",
    "alert_snooze",
    "alert_nudge",
    "takehome_send_open",
    "takehome_received_open",
    "takehome_not_received",
    "takehome_grade_open",
    "takehome_due_open",
    "takehome_graders_open",
    "interviews_page_next",
    "interviews_page_earlier",
    "note_open",
    "notes_open",
    "note_delete",
    "note_edit",
    "notes_page_older",
    "notes_page_newer",
    "role_reject_rest_open",
)
CALLBACK_IDS = (
    "role_create",
    "candidate_add",
    "candidate_move",
    "interview_schedule",
    "scorecard_submit",
    "offer_submit",
    "offer_revise",
    "offer_decline_submit",
    "interview_cant",
    "candidate_note",
    "candidate_note_edit",
    "role_reject_rest",
)

# Under 2**63: SQLite cannot bind larger integers (test_ids_beyond_64_bits_*).
SAFE_INT = 2**62

PROPERTY = settings(
    deadline=None,
    database=None,  # no example database: failures print their example instead
    suppress_health_check=list(HealthCheck),
)
# Hypothesis also caches under .hypothesis/ in the working directory: not in our tree.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "loopkeeper-hypothesis")


# ---- running Hypothesis against the app's event loop ----------------------------------------


async def hold(
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], Coroutine[Any, Any, None]],
    *,
    max_examples: int,
    examples: tuple[Any, ...] = (),
) -> None:
    """Run `check` for every example of `strategy`, inside this test's event loop."""
    loop = asyncio.get_running_loop()

    def run(drawn: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(drawn), loop).result(timeout=60)

    test = given(strategy)(run)
    for known in examples:
        test = example(known)(test)
    await asyncio.to_thread(settings(PROPERTY, max_examples=max_examples)(test))


# ---- what went wrong inside the app ---------------------------------------------------------


class Crashes(logging.Handler):
    """Errors logged by the app's error handler and by its after-the-answer tasks."""

    LOGGERS = ("loopkeeper.errors", "bot.runtime.background")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        cause = record.exc_info[1] if record.exc_info else None
        self.seen.append(f"{record.getMessage()}: {cause!r}")

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


# ---- senders: Slack itself, and people who do not hold the signing secret -------------------


class UnsignedSender(SlackSender):
    """Sends Slack's bodies without an X-Slack-Signature header."""

    async def post_raw(self, body: bytes, **kwargs: Any) -> Any:
        kwargs["extra_headers"] = {**(kwargs.get("extra_headers") or {}), "X-Slack-Signature": None}
        return await super().post_raw(body, **kwargs)


# Mostly real signatures, so most examples reach the listeners.
SIGNATURES = st.sampled_from(["valid"] * 6 + ["wrong secret", "stale", "future", "missing"])


# ---- the world the hostile requests land in -------------------------------------------------


@dataclass
class World:
    app: Running
    jane: Candidate  # interviewing; INTERVIEWER_2's scorecard is in, INTERVIEWER's is not
    names: list[Named]  # every candidate
    ids: list[int]  # every id in the database: candidates, interviews, scorecards, offers, alerts
    modals: dict[str, tuple[str, dict[str, Any]]]  # callback_id -> (who opened it, the view)


async def build_world(app: Running) -> World:
    role = await create_role(app, title=ROLE_TITLE)
    jane = await add_candidate(app, "Jane Doe", role=role, email=JANE_EMAIL)
    await add_candidate(app, "John Roe", role=role)
    await add_candidate(app, "Ola Offer", role=role)
    interview = await schedule(app, "Jane Doe", interviewers=(INTERVIEWER, INTERVIEWER_2))
    await submit_scorecard(app, interview, INTERVIEWER_2)
    await app.slack.command("move Ola Offer to decision", user=RECRUITER)
    await extend_offer(app, "Ola Offer")
    # Dee declined hers: the form asking why is open.
    await add_candidate(app, "Dee Declined", role=role)
    await app.slack.command("move Dee Declined to decision", user=RECRUITER)
    await extend_offer(app, "Dee Declined")
    dee = answer(await app.slack.command("status Dee Declined", user=RECRUITER))
    await click(app, dee, "Declined", user=RECRUITER)
    declined = last_view(app)
    # Three days on, the sweep has alerts out (idle, feedback overdue) with their buttons.
    assert isinstance(app.deps.clock, ManualClock)  # conftest's app runs on a manual clock
    app.deps.clock.advance(timedelta(days=3))
    await make_sweeper(app.deps).run(app.deps.clock.now())

    modals: dict[str, tuple[str, dict[str, Any]]] = {}
    for text, user in (
        ("role", ADMIN),
        ("add", RECRUITER),
        ("move Jane Doe", RECRUITER),
        ("schedule Jane Doe", RECRUITER),
        ("offer Jane Doe", RECRUITER),
        ("offer Ola Offer", RECRUITER),  # in offer: its revision
        ("note Jane Doe", RECRUITER),
    ):
        response = await app.slack.command(text, user=user)
        assert response.status_code == 200 and not response.content, (text, response.text)
        view = last_view(app)
        modals[view["callback_id"]] = (user, view)
    await app.slack.command("note Jane Doe: expects an offer by Friday", user=RECRUITER)
    notes = answer(await app.slack.command("notes Jane Doe", user=RECRUITER))
    await click(app, notes, "Edit…", user=RECRUITER)
    modals["candidate_note_edit"] = (RECRUITER, last_view(app))
    modals["offer_decline_submit"] = (RECRUITER, declined)
    # A second role, filled and closed, with one candidate left to let go.
    filled = await create_role(app, title="Data Scientist")
    await add_candidate(app, "Lee Left", role=filled)
    await app.slack.command("role close Data Scientist", user=RECRUITER)
    await app.slack.command("role reject-rest Data Scientist", user=RECRUITER)
    modals["role_reject_rest"] = (RECRUITER, last_view(app))
    await click(app, kit_for(app, INTERVIEWER), "I can't make it", user=INTERVIEWER)
    modals["interview_cant"] = (INTERVIEWER, last_view(app))
    await open_scorecard(app, interview, INTERVIEWER)
    modals["scorecard_submit"] = (INTERVIEWER, last_view(app))
    assert set(modals) == set(CALLBACK_IDS)
    await app.settle()

    ids: set[int] = set()
    async with app.deps.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if "id" in table.c:
                ids.update((await connection.execute(core_select(table.c.id))).scalars())
    async with app.deps.db.reader() as session:
        candidates = (await session.exec(select(Candidate))).all()
    names = [Named(c.id or 0, c.name) for c in candidates]
    return World(app, jane, names, sorted(ids), modals)


# ---- what must hold after every request -----------------------------------------------------


async def snapshot(app: Running) -> dict[str, list[str]]:
    """Every row of every table but the bookkeeping (RECEIPTS), so any insert, update or
    delete shows."""
    rows: dict[str, list[str]] = {}
    async with app.deps.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in RECEIPTS:
                result = await connection.execute(table.select())
                rows[table.name] = sorted(repr(tuple(row)) for row in result)
    return rows


async def assert_complete(app: Running) -> None:
    """Nothing half-written: each stored thing has the parts that make it whole."""
    async with app.deps.db.reader() as session:
        roles = {r.id: r for r in (await session.exec(select(Role))).all()}
        recruiters = {r.role_id for r in (await session.exec(select(RoleRecruiter))).all()}
        candidates = {c.id: c for c in (await session.exec(select(Candidate))).all()}
        events = (await session.exec(select(StageEvent).order_by(col(StageEvent.id)))).all()
        interviews = {i.id: i for i in (await session.exec(select(Interview))).all()}
        seats = {(s.interview_id, s.interviewer_id) for s in (await session.exec(select(Seat)))}
        cards = (await session.exec(select(Scorecard))).all()
        ratings = (await session.exec(select(Rating))).all()
        offers = (await session.exec(select(Offer))).all()

    assert set(roles) <= recruiters, "a role without recruiters"
    history: dict[int, list[StageEvent]] = {}
    for event in events:
        history.setdefault(event.candidate_id, []).append(event)
    for candidate in candidates.values():
        moves = history.get(candidate.id or 0, [])
        assert moves, f"{candidate.name!r} has no stage events"
        assert (moves[0].from_stage, moves[0].to_stage) == (None, Stage.SOURCED.value)
        assert moves[-1].to_stage == candidate.stage, f"{candidate.name!r}: history ends elsewhere"
        for before, after in pairwise(moves):
            assert after.from_stage == before.to_stage, f"{candidate.name!r}: a gap in history"
    for interview_id in interviews:
        assert any(i == interview_id for i, _ in seats), f"interview {interview_id} has no seat"
    rated: dict[int, dict[str, int]] = {}
    for rating in ratings:
        rated.setdefault(rating.scorecard_id, {})[rating.competency] = rating.rating
    for card in cards:
        interview = interviews[card.interview_id]
        template = template_named(roles[candidates[interview.candidate_id].role_id].template)
        wanted = {c.key for c in competencies_for(template, interview.plan_stage)}
        assert set(rated.get(card.id or 0, {})) == wanted, f"scorecard {card.id} lacks ratings"
        assert any(rated[card.id or 0].values()), f"scorecard {card.id} assesses nothing"
        assert 1 <= card.recommendation <= 4 and card.summary.strip()
        assert (card.interview_id, card.interviewer_id) in seats, "a scorecard without a seat"
    for offer in offers:
        if offer.status == "open":
            assert candidates[offer.candidate_id].stage == Stage.OFFER.value


def answer_of(response: Any) -> dict[str, Any]:
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return {"text": response.text}


class Checker:
    """The properties of the module docstring, for one request at a time."""

    def __init__(self, app: Running, crashes: Crashes) -> None:
        self.app = app
        self.crashes = crashes

    async def __call__(
        self,
        user: str,
        signature: str,
        send: Callable[[], Awaitable[Any]],
        *,
        view: dict[str, Any] | None = None,
        said: str = "",
        writes: bool = True,
    ) -> Any:
        """`user` sends a request; `said` is what they typed; `writes=False` for requests
        that may change nothing whoever sends them (events)."""
        app = self.app
        unchanged = signature != "valid" or user not in TEAM or not writes
        before = await snapshot(app) if unchanged else None
        calls = len(app.standin.calls)
        response = await send()
        await app.settle()

        assert response.status_code < 500, response.text
        if signature != "valid":
            # 413 when the drawn body is over the edge's limit: refused before its signature.
            assert response.status_code in (401, 413), (signature, response.status_code)
        else:
            assert response.status_code == 200 or 400 <= response.status_code < 500
        assert self.crashes.take() == []
        assert app.standin.invalid == []

        body = answer_of(response)
        assert body.get("response_type") != "in_channel", "an answer went public"
        if isinstance(body.get("blocks"), list):
            assert message_problems(body["blocks"]) == []
        if isinstance(body.get("view"), dict):
            assert view_problems(body["view"]) == []
        inputs = {
            b.get("block_id")
            for b in (view or {}).get("blocks") or []
            if isinstance(b, dict) and b.get("type") == "input"
        }
        if body.get("response_action") == "errors" and inputs:
            assert set(body["errors"]) <= inputs, "errors Slack cannot show under an input"
        replies = app.standin.calls[calls:]
        for call in replies:
            assert call.args.get("response_type") != "in_channel", "a reply went public"

        if user not in TEAM:
            shown = json.dumps([body, *(c.args for c in replies)], ensure_ascii=False)
            leaked = [s for s in SECRETS if s in shown and s not in said]
            assert leaked == [], f"an outsider was shown {leaked}"
        if unchanged:
            assert await snapshot(app) == before, "this request must not change anything"
        else:
            await assert_complete(app)
        return response


# ---- strategies shared by the surfaces ------------------------------------------------------


STAGE_NAMES = [s.value for s in Stage]
PIECES = ["x", " ", "é", "👩\u200d💻", "\u202e", "\u200f", "&", "<", "'", "\n", "Jane "]
# Whole-string repeats, never of digits: a number field of over 4300 digits (past int()'s
# limit) once crashed the app; it is now refused on the field, which
# test_a_number_of_5000_digits_* (test_hostile_views.py) checks.
LONG = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(PIECES),
    st.integers(min_value=1000, max_value=20000),
)
ODD = st.sampled_from(
    ["", " ", "\x00", "\u202eeod enaJ", "👩\u200d💻", "<!channel>", "<@U1>", "&amp;", "*x*", "\r\n"]
)
TEXT = st.one_of(
    st.text(),  # any unicode: control characters, right-to-left marks, emoji
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Mn", "So"])),
    ODD,
    LONG,
)
JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-SAFE_INT, max_value=SAFE_INT),
        # Finite only: int(float("inf")) once crashed the app; an infinite id now reads as
        # an out-of-date form (test_an_infinite_id_*, test_hostile_views.py).
        st.floats(allow_nan=True, allow_infinity=False),
        TEXT,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def ids_of(world: World) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(world.ids), st.integers(min_value=-SAFE_INT, max_value=SAFE_INT)
    )


def long_choice_list(names: list[Named], *queries: str) -> bool:
    """Whether a query is over ~3000 characters (escaped) and matches several candidates:
    such a query once crashed the choice list; it is now listed, which
    test_a_long_query_matching_several_candidates_* (test_hostile_commands.py) checks."""
    return any(len(esc(q)) > 2900 and len(match_names(q, names)) > 1 for q in queries if q.strip())
