# One file on purpose: one matrix, the world it runs in and the 21 actions it names, read together.
"""Who may do what: every action against Jane Doe, by every kind of person.

The table is read from docs/permissions.md and the README's command reference:
- the hiring team (the role's recruiters and its hiring manager) sees and acts on all of
  the role's candidates: status, moves, interviews, offers, snoozes and nudges, and reads
  every scorecard;
- an interviewer sees the candidate they interview and writes their own scorecard, and
  reads nobody else's until their own is in; they touch no other candidate;
- an admin installs and configures (roles, failed deliveries) and is on no hiring team;
- everyone else is an outsider.

Each cell checks what the person gets (a modal opened or not, the data changed or not)
and, for a person who may not see Jane at all, that the refusal is word for word the
answer about a candidate who does not exist: nobody learns that she does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from copy import deepcopy as copy_of
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlmodel import func, select

from bot.domain.clocks import Kind
from bot.domain.stages import Stage
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.slack.app import make_sweeper
from bot.store.tables import Alert, Candidate, ClockPause, Interview, Offer, Role, Scorecard
from tests import flows
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, Running, serving
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    blocks_text,
    candidate_named,
    create_role,
    good_scorecard,
    last_view,
    open_scorecard,
    schedule,
    submit_scorecard,
)
from tests.worlds import world_on_file

INTERVIEWER_3 = "UINT0003"  # Jane's other interviewer, whose scorecard is in
ROLE_TITLE = "MLOps Engineer"

PEOPLE = {
    "admin": ADMIN,  # on no hiring team
    "recruiter": RECRUITER,
    "hiring manager": HM,
    "interviewer": INTERVIEWER,  # interviews Jane, has not submitted yet
    "other interviewer": INTERVIEWER_2,  # interviews John Roe, not Jane
    "outsider": OUTSIDER,
}
# People for whom Jane must not exist: their refusals must equal the made-up name's.
BLIND = frozenset({"admin", "other interviewer", "outsider"})

Y, N = True, False

# fmt: off
#                                  admin  recruiter  hiring mgr  interviewer  other int.  outsider
MATRIX: dict[str, tuple[bool, ...]] = {
    "see status by command":       (N,     Y,         Y,          Y,           N,          N),
    "see status by button":        (N,     Y,         Y,          Y,           N,          N),
    "ask status by mention":       (N,     Y,         Y,          Y,           N,          N),
    "ask status by DM":            (N,     Y,         Y,          Y,           N,          N),
    "move by command":             (N,     Y,         Y,          N,           N,          N),
    "move by modal":               (N,     Y,         Y,          N,           N,          N),
    "move by advance button":      (N,     Y,         Y,          N,           N,          N),
    "schedule an interview":       (N,     Y,         Y,          N,           N,          N),
    "set the candidate's deadline": (N,    Y,         Y,          N,           N,          N),
    "open own scorecard":          (N,     N,         N,          Y,           N,          N),
    "read another's scorecard":    (N,     Y,         Y,          N,           N,          N),
    "extend an offer":             (N,     Y,         Y,          N,           N,          N),
    "mark offer accepted":         (N,     Y,         Y,          N,           N,          N),
    "mark offer declined":         (N,     Y,         Y,          N,           N,          N),
    "give offer more time":        (N,     Y,         Y,          N,           N,          N),
    "snooze an alert":             (N,     Y,         Y,          N,           N,          N),
    "nudge interviewers":          (N,     Y,         Y,          N,           N,          N),
    "add a candidate":             (N,     Y,         Y,          N,           N,          N),
    "create a role":               (Y,     N,         N,          N,           N,          N),
    "list failed deliveries":      (Y,     N,         N,          N,           N,          N),
    "find Jane in /hire feedback": (N,     N,         N,          Y,           N,          N),
}
# fmt: on


def cells() -> list[Any]:
    out = []
    for action, row in MATRIX.items():
        for person, allowed in zip(PEOPLE, row, strict=True):
            word = "may" if allowed else "may not"
            out.append(pytest.param(action, person, allowed, id=f"{person} {word} {action}"))
    return out


# ---- the world ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What an action is aimed at: Jane's, or made-up ones nobody has."""

    name: str
    candidate: int
    interview: int = 0
    scorecard: int = 0
    offer: int = 0
    alert: int = 0


MADE_UP = Target("Zed Nobody", 987_001, 987_002, 987_003, 987_004, 987_005)


@dataclass
class World:
    app: Running
    jane: Target
    modals: dict[str, dict[str, Any]] = field(default_factory=dict)  # callback_id -> view


async def build(app: Running, needs: frozenset[str]) -> World:
    """Jane Doe is interviewing with INTERVIEWER and INTERVIEWER_3; for the other
    interviewer's cells, John Roe of the same role with INTERVIEWER_2. Extras as the
    action needs them."""
    role = await create_role(app, title=ROLE_TITLE)
    jane = await add_candidate(app, "Jane Doe", role=role, email="jane.doe@example.com")
    interview = await schedule(app, "Jane Doe", interviewers=(INTERVIEWER, INTERVIEWER_3))
    if "john" in needs:
        await add_candidate(app, "John Roe", role=role)
        await schedule(app, "John Roe", interviewers=(INTERVIEWER_2,))
    target = Target("Jane Doe", jane.id or 0, interview.id or 0)

    if "scorecard" in needs:
        await submit_scorecard(app, interview, INTERVIEWER_3)
        async with app.deps.db.reader() as session:
            card = (await session.exec(select(Scorecard))).one()
        target = replace(target, scorecard=card.id or 0)
    if "offer" in needs:
        await flows.extend_offer(app, "Jane Doe")
        async with app.deps.db.reader() as session:
            offer = (await session.exec(select(Offer))).one()
        target = replace(target, offer=offer.id or 0)
    if "alert" in needs:
        # Jane's scorecards are a day overdue: the recruiter's digest has her, with buttons.
        assert isinstance(app.deps.clock, ManualClock)  # conftest's app runs on a manual clock
        app.deps.clock.advance(timedelta(days=3, hours=2))
        await make_sweeper(app.deps).run(app.deps.clock.now())
        async with app.deps.db.reader() as session:
            alert = (
                await session.exec(
                    select(Alert).where(
                        Alert.candidate_id == jane.id,
                        Alert.recipient_id == RECRUITER,
                        Alert.kind == Kind.FEEDBACK_OVERDUE.value,
                    )
                )
            ).first()
        assert alert is not None, "the sweep raised no feedback alert for Jane"
        target = replace(target, alert=alert.id or 0)

    world = World(app, target)
    for callback_id, (owner, text) in OWNERS.items():
        if f"modal:{callback_id}" in needs:
            if callback_id == "scorecard_submit":
                await open_scorecard(app, interview, INTERVIEWER)
            elif callback_id == "deadline_submit":  # a button on the status card
                await app.slack.action(text, str(jane.id), user=owner, **response_url(app))
            else:
                response = await app.slack.command(text, user=owner)
                assert response.status_code == 200 and not response.content, response.text
            world.modals[callback_id] = last_view(app)
    await app.settle()
    app.standin.reset()
    return world


WorldFor = Callable[[frozenset[str]], AbstractAsyncContextManager[World]]


@pytest.fixture
def world_for(
    db_url: str, standin: SlackStandin, clock: ManualClock, tmp_path_factory: pytest.TempPathFactory
) -> WorldFor:
    """`async with world_for(needs) as world`: the app serving a world of `needs`, built
    once per test run (tests/worlds.py): building took 232 of the simplest cell's
    245 ms of CPU."""

    @asynccontextmanager
    async def serve(needs: frozenset[str]) -> AsyncIterator[World]:
        built = await world_on_file(
            ("authz", needs),
            partial(build, needs=needs),
            db_url=db_url,
            standin=standin,
            clock=clock,
            tmp_path_factory=tmp_path_factory,
            shared=True,
        )
        async with serving(db_url, standin, clock) as app:
            yield replace(built, app=app, modals=copy_of(built.modals))

    return serve


# Who opens each modal legitimately, and how: deny cells submit that person's modal.
OWNERS = {
    "candidate_move": (RECRUITER, "move Jane Doe"),
    "interview_schedule": (RECRUITER, "schedule Jane Doe"),
    "offer_submit": (RECRUITER, "offer Jane Doe"),
    "candidate_add": (RECRUITER, "add"),
    "role_create": (ADMIN, "role"),
    "scorecard_submit": (INTERVIEWER, ""),
    "deadline_submit": (RECRUITER, "deadline_open"),
}


# ---- what a person gets ---------------------------------------------------------------------


@dataclass
class Shown:
    """Everything one person was shown in answer: texts, and modals opened for them."""

    texts: list[str] = field(default_factory=list)
    modals: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def add(self, other: Shown) -> Shown:
        return Shown(self.texts + other.texts, self.modals + other.modals)


async def shown(app: Running, send: Callable[[], Awaitable[Any]]) -> Shown:
    calls = len(app.standin.calls)
    response = await send()
    await app.settle()
    assert response.status_code == 200, response.text
    out = Shown()
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        out.texts += [str(body.get("text", "")), blocks_text(body.get("blocks") or [])]
        out.texts += [json.dumps(body.get("errors", {}), ensure_ascii=False)]
    else:
        out.texts.append(response.text)
    for call in app.standin.calls[calls:]:
        if call.method in ("views.open", "views.push"):
            out.modals.append(call.args["view"].get("callback_id", ""))
            out.texts.append(blocks_text(call.args["view"].get("blocks") or []))
        elif call.method.startswith(("chat.", "response_url:")):
            out.texts += [
                str(call.args.get("text", "")),
                blocks_text(call.args.get("blocks") or []),
            ]
    return out


@dataclass
class Outcome:
    done: bool  # the action happened: data changed, a modal opened, the card was shown
    shown: Shown


def response_url(app: Running) -> dict[str, Any]:
    return {"response_url": app.standin.response_url("matrix")}


async def count(app: Running, model: type) -> int:
    async with app.deps.db.reader() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def stage_of_jane(app: Running) -> str:
    return (await candidate_named(app, "Jane Doe")).stage


def card_of_jane(seen: Shown) -> bool:
    return "Jane Doe" in seen.text and ROLE_TITLE in seen.text


# ---- the actions ----------------------------------------------------------------------------


async def status_by_command(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(w.app, lambda: w.app.slack.command(f"status {t.name}", user=user))
    return Outcome(card_of_jane(seen), seen)


async def status_by_button(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(
        w.app,
        lambda: w.app.slack.action(
            f"status_open_{t.candidate}", str(t.candidate), user=user, **response_url(w.app)
        ),
    )
    return Outcome(card_of_jane(seen), seen)


async def status_by_mention(w: World, user: str, t: Target) -> Outcome:
    event = {
        "type": "app_mention",
        "user": user,
        "channel": "GHIRING01",
        "text": f"<@UBOT> where is {t.name}?",
    }
    seen = await shown(w.app, lambda: w.app.slack.event(event))
    return Outcome(card_of_jane(seen), seen)


async def status_by_dm(w: World, user: str, t: Target) -> Outcome:
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "channel": f"D{user}",
        "text": f"where is {t.name}?",
    }
    seen = await shown(w.app, lambda: w.app.slack.event(event))
    return Outcome(card_of_jane(seen), seen)


async def move_by_command(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(w.app, lambda: w.app.slack.command(f"move {t.name} to decision", user=user))
    return Outcome(await stage_of_jane(w.app) == Stage.DECISION, seen)


def for_target(view: dict[str, Any], t: Target) -> dict[str, Any]:
    """The modal as it would be for `t`: its private_metadata names t's ids."""
    meta = json.loads(view.get("private_metadata") or "{}")
    ids = {"candidate": t.candidate, "interview": t.interview}
    return {**view, "private_metadata": json.dumps({k: ids.get(k, v) for k, v in meta.items()})}


async def through_modal(
    w: World,
    user: str,
    t: Target,
    *,
    callback_id: str,
    open_it: Callable[[], Awaitable[Any]],
    values: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[bool, Shown]:
    """Open the modal as `user`, then submit it: the one they got, or else, as a forgery,
    the one its rightful owner got. True when a modal opened for them."""
    opened = await shown(w.app, open_it)
    view = (
        last_view(w.app) if callback_id in opened.modals else for_target(w.modals[callback_id], t)
    )
    submitted = await shown(w.app, lambda: w.app.slack.submit_view(view, values(view), user=user))
    return callback_id in opened.modals, opened.add(submitted)


async def move_by_modal(w: World, user: str, t: Target) -> Outcome:
    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="candidate_move",
        open_it=lambda: w.app.slack.command(f"move {t.name}", user=user),
        values=lambda _: {"stage": "decision"},
    )
    moved = await stage_of_jane(w.app) == Stage.DECISION
    assert opened == moved, "a modal opened but the move was refused, or the other way round"
    return Outcome(moved, seen)


async def move_by_advance_button(w: World, user: str, t: Target) -> Outcome:
    value = f"{t.candidate}:interviewing:decision"
    seen = await shown(
        w.app, lambda: w.app.slack.action("move_advance", value, user=user, **response_url(w.app))
    )
    return Outcome(await stage_of_jane(w.app) == Stage.DECISION, seen)


async def schedule_interview(w: World, user: str, t: Target) -> Outcome:
    before = await count(w.app, Interview)

    def values(view: dict[str, Any]) -> dict[str, Any]:
        plan = next(b for b in view["blocks"] if b.get("block_id") == "plan")["element"]
        return {
            "plan": plan["options"][-1]["value"],
            "interviewers": [INTERVIEWER],
            "starts": w.app.deps.clock.now() + timedelta(days=2),
        }

    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="interview_schedule",
        open_it=lambda: w.app.slack.command(f"schedule {t.name}", user=user),
        values=values,
    )
    booked = await count(w.app, Interview) == before + 1
    assert opened == booked
    return Outcome(booked, seen)


async def set_deadline(w: World, user: str, t: Target) -> Outcome:
    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="deadline_submit",
        open_it=lambda: w.app.slack.action(
            "deadline_open", str(t.candidate), user=user, **response_url(w.app)
        ),
        values=lambda _: {
            "deadline": w.app.deps.clock.now() + timedelta(days=3),
            "reason": "competing offer",
        },
    )
    jane = await candidate_named(w.app, "Jane Doe")
    assert opened == (jane.deadline_at is not None)
    return Outcome(jane.deadline_at is not None, seen)


async def open_own_scorecard(w: World, user: str, t: Target) -> Outcome:
    before = await count(w.app, Scorecard)
    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="scorecard_submit",
        open_it=lambda: w.app.slack.action(
            f"scorecard_open_{t.interview}", str(t.interview), user=user, **response_url(w.app)
        ),
        values=good_scorecard,
    )
    stored = await count(w.app, Scorecard) == before + 1
    assert opened == stored
    return Outcome(stored, seen)


async def view_others_scorecard(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(
        w.app,
        lambda: w.app.slack.action(
            f"scorecard_view_{t.scorecard}", str(t.scorecard), user=user, **response_url(w.app)
        ),
    )
    return Outcome("scorecard_read" in seen.modals, seen)


async def extend_offer(w: World, user: str, t: Target) -> Outcome:
    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="offer_submit",
        open_it=lambda: w.app.slack.command(f"offer {t.name}", user=user),
        values=lambda _: {
            "terms": "L5, 180k, start Jan 5",
            "expires": w.app.deps.clock.now() + timedelta(hours=48),
        },
    )
    offered = await count(w.app, Offer) == 1 and await stage_of_jane(w.app) == Stage.OFFER
    assert opened == offered
    return Outcome(offered, seen)


async def offer_button(w: World, user: str, t: Target, action_id: str) -> Shown:
    return await shown(
        w.app,
        lambda: w.app.slack.action(action_id, str(t.offer), user=user, **response_url(w.app)),
    )


async def offer_accepted(w: World, user: str, t: Target) -> Outcome:
    seen = await offer_button(w, user, t, "offer_accepted")
    return Outcome(await stage_of_jane(w.app) == Stage.HIRED, seen)


async def offer_declined(w: World, user: str, t: Target) -> Outcome:
    seen = await offer_button(w, user, t, "offer_declined")
    return Outcome(await stage_of_jane(w.app) == Stage.WITHDRAWN, seen)


async def offer_more_time(w: World, user: str, t: Target) -> Outcome:
    async with w.app.deps.db.reader() as session:
        before = (await session.exec(select(Offer))).one().expires_at
    seen = await offer_button(w, user, t, "offer_more_time")
    async with w.app.deps.db.reader() as session:
        after = (await session.exec(select(Offer))).one().expires_at
    return Outcome(after > before, seen)


async def snooze(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(
        w.app,
        lambda: w.app.slack.action(
            f"alert_snooze_{t.alert}", str(t.alert), user=user, **response_url(w.app)
        ),
    )
    return Outcome(await count(w.app, ClockPause) == 1, seen)


async def nudge(w: World, user: str, t: Target) -> Outcome:
    calls = len(w.app.standin.calls)
    seen = await shown(
        w.app,
        lambda: w.app.slack.action(
            f"alert_nudge_{t.alert}", str(t.candidate), user=user, **response_url(w.app)
        ),
    )
    reminded = [
        c
        for c in w.app.standin.calls[calls:]
        if c.method == "chat.postMessage" and c.args["channel"] in (INTERVIEWER, INTERVIEWER_3)
    ]
    return Outcome(bool(reminded), seen)


async def add_a_candidate(w: World, user: str, t: Target) -> Outcome:
    before = await count(w.app, Candidate)

    def values(view: dict[str, Any]) -> dict[str, Any]:
        role = next(b for b in view["blocks"] if b.get("block_id") == "role")["element"]
        return {"name": "Kim Added", "role": role["options"][0]["value"]}

    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="candidate_add",
        open_it=lambda: w.app.slack.command("add", user=user),
        values=values,
    )
    added = await count(w.app, Candidate) == before + 1
    assert opened == added
    return Outcome(added, seen)


async def create_a_role(w: World, user: str, t: Target) -> Outcome:
    before = await count(w.app, Role)
    opened, seen = await through_modal(
        w,
        user,
        t,
        callback_id="role_create",
        open_it=lambda: w.app.slack.command("role", user=user),
        values=lambda _: {
            "title": "Platform Engineer",
            "hiring_manager": HM,
            "recruiters": [RECRUITER],
            "channel": "GHIRING02",
        },
    )
    created = await count(w.app, Role) == before + 1
    assert opened == created
    return Outcome(created, seen)


async def admin_deliveries(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(w.app, lambda: w.app.slack.command("admin deliveries", user=user))
    listed = "No failed deliveries" in seen.text or "could not be delivered" in seen.text
    return Outcome(listed, seen)


async def feedback_list(w: World, user: str, t: Target) -> Outcome:
    seen = await shown(w.app, lambda: w.app.slack.command("feedback", user=user))
    return Outcome("Jane Doe" in seen.text, seen)


@dataclass(frozen=True)
class Action:
    attempt: Callable[[World, str, Target], Awaitable[Outcome]]
    needs: frozenset[str] = frozenset()
    about_jane: bool = True  # False: nothing about a candidate to keep hidden


def action(
    attempt: Callable[[World, str, Target], Awaitable[Outcome]],
    *needs: str,
    about_jane: bool = True,
) -> Action:
    return Action(attempt, frozenset(needs), about_jane)


ACTIONS: dict[str, Action] = {
    "see status by command": action(status_by_command),
    "see status by button": action(status_by_button),
    "ask status by mention": action(status_by_mention),
    "ask status by DM": action(status_by_dm),
    "move by command": action(move_by_command),
    "move by modal": action(move_by_modal, "modal:candidate_move"),
    "move by advance button": action(move_by_advance_button),
    "schedule an interview": action(schedule_interview, "modal:interview_schedule"),
    "set the candidate's deadline": action(set_deadline, "modal:deadline_submit"),
    "open own scorecard": action(open_own_scorecard, "modal:scorecard_submit"),
    "read another's scorecard": action(view_others_scorecard, "scorecard"),
    "extend an offer": action(extend_offer, "modal:offer_submit"),
    "mark offer accepted": action(offer_accepted, "offer"),
    "mark offer declined": action(offer_declined, "offer"),
    "give offer more time": action(offer_more_time, "offer"),
    "snooze an alert": action(snooze, "alert"),
    "nudge interviewers": action(nudge, "alert"),
    "add a candidate": action(add_a_candidate, "modal:candidate_add", about_jane=False),
    "create a role": action(create_a_role, "modal:role_create", about_jane=False),
    "list failed deliveries": action(admin_deliveries, about_jane=False),
    "find Jane in /hire feedback": action(feedback_list),
}
assert set(ACTIONS) == set(MATRIX)


# ---- the matrix -----------------------------------------------------------------------------


@pytest.mark.parametrize(("action_name", "person", "allowed"), cells())
async def test_who_may_do_what(
    world_for: WorldFor, action_name: str, person: str, allowed: bool
) -> None:
    act = ACTIONS[action_name]
    async with world_for(
        act.needs | ({"john"} if person == "other interviewer" else set())
    ) as world:
        user = PEOPLE[person]

        outcome = await act.attempt(world, user, world.jane)

        assert outcome.done == allowed, outcome.shown.text
        if not allowed:
            assert outcome.shown.text.strip(), "a refusal says why"
        if not allowed and act.about_jane and person in BLIND:
            # Word for word the answer about a candidate who does not exist.
            made_up = await act.attempt(world, user, MADE_UP)
            assert not made_up.done
            real = outcome.shown.text.replace(world.jane.name, MADE_UP.name)
            assert real == made_up.shown.text
