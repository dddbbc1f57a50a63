"""Hostile modal submissions: mutated state and private_metadata, and the same submission
twice (the properties: tests/handlers/hostile.py)."""

from __future__ import annotations

import copy
import json
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import strategies as st
from sqlmodel import select

from bot.playground.sender import SlackSender
from bot.store.tables import Candidate, Interview, Scorecard
from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    create_role,
    events_of,
    good_scorecard,
    last_view,
)
from tests.handlers.hostile import (
    CALLBACK_IDS,
    FORM,
    JSONISH,
    PEOPLE,
    SAFE_INT,
    SIGNATURES,
    TEXT,
    Checker,
    Crashes,
    World,
    answer_of,
    assert_complete,
    hold,
    ids_of,
)

STATE_KEYS = {
    "plain_text_input": "value",
    "email_text_input": "value",
    "number_input": "value",
    "static_select": "selected_option",
    "users_select": "selected_user",
    "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "datetimepicker": "selected_date_time",
}


def plausible(element: dict[str, Any], world: World) -> st.SearchStrategy[Any]:
    """Values of the right type for this element, sensible or not."""
    kind = element["type"]
    user = st.one_of(st.sampled_from(PEOPLE), st.text(max_size=40))
    if kind == "static_select":
        unknown = st.builds(
            lambda v: {"text": {"type": "plain_text", "text": "?"}, "value": v},
            st.one_of(TEXT, ids_of(world).map(str)),
        )
        known = element.get("options") or []
        return st.one_of(st.sampled_from(known), unknown) if known else unknown
    if kind == "users_select":
        return user
    if kind == "multi_users_select":
        return st.lists(user, max_size=8)
    if kind == "conversations_select":
        return st.one_of(st.sampled_from(["GHIRING02", "C111", "D1"]), st.text(max_size=40))
    if kind == "datetimepicker":
        now = int(world.app.deps.clock.now().timestamp())
        return st.one_of(
            st.integers(min_value=now - 10 * 86400, max_value=now + 100 * 86400),
            st.integers(),
            st.floats(),
        )
    if kind == "number_input":
        return st.one_of(st.integers(min_value=-10, max_value=10**6).map(str), TEXT)
    return TEXT


def field_state(block: dict[str, Any], world: World) -> st.SearchStrategy[dict[str, Any] | None]:
    """What state.values may hold for this input block: nothing, an empty block, or the
    element's entry with a plausible value or one of the wrong type. The element's entry
    itself stays an object (test_state_values_of_the_wrong_shape_*)."""
    element = block["element"]
    key = STATE_KEYS[element["type"]]
    wrong = st.one_of(
        st.none(),
        st.lists(st.text(max_size=5), max_size=3),
        st.integers(min_value=-SAFE_INT, max_value=SAFE_INT),
        st.floats(allow_infinity=False),
        st.booleans(),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        TEXT,
    )
    filled = st.builds(
        lambda value: {element["action_id"]: {"type": element["type"], key: value}},
        st.one_of(plausible(element, world), wrong),
    )
    return st.one_of(st.none(), st.just({}), filled)


def metadata(original: str) -> st.SearchStrategy[str]:
    keys = st.sampled_from(["candidate", "stage", "interview", "base"])
    return st.one_of(
        st.just(original),
        TEXT,
        JSONISH.map(json.dumps),
        st.dictionaries(keys, JSONISH, max_size=4).map(json.dumps),
        st.sampled_from(['{"candidate": "1"}', '{"interview": "\u0661", "base": "0"}', "[]"]),
    )


def submissions(world: World, callback_id: str) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(who, mutated view) for the modal of `callback_id`."""
    owner, view = world.modals[callback_id]
    inputs = [b for b in view["blocks"] if b.get("type") == "input"]
    states = st.fixed_dictionaries({b["block_id"]: field_state(b, world) for b in inputs})

    def mutate(state: dict[str, Any], meta: str, blocks: str) -> dict[str, Any]:
        mutated = copy.deepcopy(view)
        mutated["private_metadata"] = meta
        mutated["state"] = {"values": {k: v for k, v in state.items() if v is not None}}
        if blocks == "missing":
            del mutated["blocks"]
        elif blocks == "empty":
            mutated["blocks"] = []
        return mutated

    mutated = st.builds(
        mutate,
        states,
        metadata(view.get("private_metadata") or ""),
        st.sampled_from(["kept"] * 4 + ["missing", "empty"]),
    )
    return st.tuples(st.sampled_from([owner, owner, owner, OUTSIDER]), mutated)


async def submit(sender: SlackSender, view: dict[str, Any], user: str) -> Any:
    """A view_submission carrying `view` exactly as given, state and all."""
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": sender.team_id, "domain": "test-team"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T111"},
        "api_app_id": sender.api_app_id,
        "token": "verification_token",
        "trigger_id": f"1.{int(time.time())}.hostile",
        "view": {"id": "V0HOSTILE", "team_id": sender.team_id, "hash": "1.hostile", **view},
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    return await sender.post_raw(body, content_type=FORM)


@pytest.mark.parametrize("callback_id", CALLBACK_IDS)
async def test_every_modal_with_mutated_state_is_answered_and_leaves_data_whole(
    world: World, checker: Checker, senders: dict[str, SlackSender], callback_id: str
) -> None:
    async def check(drawn: tuple[str, tuple[str, dict[str, Any]]]) -> None:
        signature, (user, view) = drawn
        await checker(user, signature, lambda: submit(senders[signature], view, user), view=view)

    await hold(st.tuples(SIGNATURES, submissions(world, callback_id)), check, max_examples=25)


# ---- the same submission twice --------------------------------------------------------------


async def test_the_same_add_candidate_submission_twice_stores_one_candidate(world: World) -> None:
    app = world.app
    user, view = world.modals["candidate_add"]
    role = next(b for b in view["blocks"] if b.get("block_id") == "role")["element"]
    values = {"name": "Dora Double", "role": role["options"][0]["value"]}
    slack_view = {**view, "id": "V0DOUBLE1"}
    calls = len(app.standin.calls)

    first = await app.slack.submit_view(slack_view, values, user=user)
    again = await app.slack.submit_view(slack_view, values, user=user)
    await app.settle()

    assert first.status_code == 200 and not first.content
    assert "already an open candidate" in again.json()["errors"]["name"]
    async with app.deps.db.reader() as session:
        named = (await session.exec(select(Candidate).where(Candidate.name == "Dora Double"))).all()
    assert len(named) == 1
    assert [e.to_stage for e in await events_of(app, named[0])] == ["sourced"]
    confirmations = [
        c
        for c in app.standin.calls[calls:]
        if c.method in ("chat.postMessage", f"response_url:{RECRUITER}")
        and "Dora Double" in c.args.get("text", "")
    ]
    assert len(confirmations) == 1


async def test_the_same_scorecard_submission_twice_stores_one_scorecard(world: World) -> None:
    app = world.app
    user, view = world.modals["scorecard_submit"]
    slack_view = {**view, "id": "V0DOUBLE2"}
    values = good_scorecard(view, "4")
    calls = len(app.standin.calls)

    first = await app.slack.submit_view(slack_view, values, user=user)
    again = await app.slack.submit_view(slack_view, values, user=user)
    await app.settle()

    assert first.status_code == 200 and not first.content, first.text
    assert again.status_code == 200 and not again.content, again.text  # closes, stores nothing
    async with app.deps.db.reader() as session:
        mine = select(Scorecard).where(Scorecard.interviewer_id == user)
        assert [c.version for c in (await session.exec(mine)).all()] == [1]
    await assert_complete(app)
    dms = [
        c
        for c in app.standin.calls[calls:]
        if c.method == "chat.postMessage" and c.args["channel"] == user
    ]
    assert len(dms) == 1


def kits_to(app: Running, user: str) -> list[Any]:
    return [
        c
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == user and c.args["text"].startswith("Interview kit")
    ]


async def test_the_same_schedule_submission_twice_books_one_interview(world: World) -> None:
    app = world.app
    user, view = world.modals["interview_schedule"]
    plan = next(b for b in view["blocks"] if b.get("block_id") == "plan")["element"]
    values = {
        "plan": plan["options"][-1]["value"],
        "interviewers": [INTERVIEWER],
        "starts": app.deps.clock.now() + timedelta(days=2),
    }
    kits_before = len(kits_to(app, INTERVIEWER))
    async with app.deps.db.reader() as session:
        interviews_before = len((await session.exec(select(Interview))).all())

    for _ in range(2):
        response = await app.slack.submit_view({**view, "id": "V0DOUBLE3"}, values, user=user)
        assert response.status_code == 200
    await app.settle()

    async with app.deps.db.reader() as session:
        assert len((await session.exec(select(Interview))).all()) == interviews_before + 1
    assert len(kits_to(app, INTERVIEWER)) == kits_before + 1


# ---- regressions: what these properties found, now fixed ------------------------------------
# One test per cause; the properties keep its trigger out of their strategies.


async def test_ids_beyond_64_bits_in_a_modal_are_refused_on_the_field(
    world: World, crashes: Crashes
) -> None:
    big = 2**63
    stage = {"text": {"type": "plain_text", "text": "D"}, "value": "decision"}
    role = {"text": {"type": "plain_text", "text": "?"}, "value": str(big)}
    states = {
        "candidate_add": {
            "name": {"value": {"type": "plain_text_input", "value": "Bea Big"}},
            "role": {"value": {"type": "static_select", "selected_option": role}},
        },
        "candidate_move": {"stage": {"value": {"type": "static_select", "selected_option": stage}}},
        "interview_schedule": {},
        "scorecard_submit": {},
        "offer_submit": {},
        "offer_revise": {},
        "offer_decline_submit": {},
    }
    answers = {}
    for callback_id, values in states.items():
        user, view = world.modals[callback_id]
        meta = json.loads(view.get("private_metadata") or "{}")
        forged = {
            **view,
            "private_metadata": json.dumps(
                {k: v if k == "stage" else big for k, v in meta.items()}
            ),
            "state": {"values": values},
        }
        answers[callback_id] = answer_of(await submit(world.app.slack, forged, user))
    await world.app.settle()
    assert crashes.take() == []
    assert all(a.get("response_action") == "errors" for a in answers.values()), answers


async def test_an_infinite_id_in_private_metadata_reads_as_an_out_of_date_form(
    world: World, crashes: Crashes
) -> None:
    forms = {
        "candidate_move": '{"candidate": 1e999, "stage": "sourced"}',
        "interview_schedule": '{"candidate": 1e999}',
        "offer_submit": '{"candidate": -1e999}',
        "offer_revise": '{"offer": 1e999, "seen": "0123456789abcdef"}',
        "offer_decline_submit": '{"offer": 1e999}',
        "scorecard_submit": '{"interview": 1e999, "base": 0}',
    }
    answers = {}
    for callback_id, meta in forms.items():
        user, view = world.modals[callback_id]
        forged = {**view, "private_metadata": meta, "state": {"values": {}}}
        answers[callback_id] = json.dumps(answer_of(await submit(world.app.slack, forged, user)))
    await world.app.settle()
    assert crashes.take() == []
    assert all("out of date" in a for a in answers.values()), answers


async def test_state_values_of_the_wrong_shape_are_field_errors(
    world: World, crashes: Crashes
) -> None:
    user, view = world.modals["candidate_move"]
    shapes = [
        {"values": {"stage": {"value": "decision"}}},
        {"values": {"stage": {"value": ["decision"]}}},
        {"values": ["stage"]},
        None,
    ]
    answers = [answer_of(await submit(world.app.slack, {**view, "state": s}, user)) for s in shapes]
    await world.app.settle()
    assert crashes.take() == []
    picked = {"stage": "Pick the stage to move the candidate to."}
    assert [a.get("errors") for a in answers] == [picked] * len(shapes)


async def test_a_number_of_5000_digits_is_refused_not_a_crash(
    world: World, crashes: Crashes
) -> None:
    app, digits = world.app, "9" * 5000

    def option(value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": "?"}, "value": value}

    role_user, role_view = world.modals["role_create"]
    role = {
        "title": "Platform Engineer",
        "hiring_manager": HM,
        "recruiters": [RECRUITER],
        "channel": "GHIRING02",
        "loop_days": digits,
    }
    schedule_user, schedule_view = world.modals["interview_schedule"]
    plan = next(b for b in schedule_view["blocks"] if b.get("block_id") == "plan")["element"]
    interview = {
        "plan": plan["options"][0]["value"],
        "interviewers": [INTERVIEWER],
        "starts": app.deps.clock.now() + timedelta(days=1),
        "minutes": digits,
    }
    card_user, card_view = world.modals["scorecard_submit"]
    card = good_scorecard(card_view) | {"recommendation": option(digits)}
    add_user, add_view = world.modals["candidate_add"]
    add = {"name": "Nina Number", "role": option(digits)}
    answers = [
        answer_of(await app.slack.submit_view(view, values, user=user))
        for user, view, values in (
            (role_user, role_view, role),
            (schedule_user, schedule_view, interview),
            (card_user, card_view, card),
            (add_user, add_view, add),
        )
    ]
    click = await app.slack.action(
        "status_open", digits, user=RECRUITER, response_url=app.standin.response_url("digits")
    )
    await app.settle()
    assert crashes.take() == []
    assert click.status_code == 200
    assert [sorted(a.get("errors", {})) for a in answers] == [
        ["loop_days"],
        ["minutes"],
        ["recommendation"],
        ["role"],
    ]


async def light_move_modal(app: Running) -> dict[str, Any]:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe", user=RECRUITER)
    return last_view(app)


async def broken_move(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("the database went away")


async def test_a_crash_in_a_modal_without_input_blocks_is_still_answered(
    app: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await light_move_modal(app)
    monkeypatch.setattr("bot.usecases.candidates.move", broken_move)
    picked = {"text": {"type": "plain_text", "text": "D"}, "value": "decision"}
    state = {"values": {"stage": {"value": {"type": "static_select", "selected_option": picked}}}}
    without_blocks = {k: v for k, v in view.items() if k != "blocks"} | {"state": state}
    no_inputs = {**view, "state": state, "blocks": [view["blocks"][0]]}
    statuses = [
        (await submit(app.slack, v, RECRUITER)).status_code for v in (without_blocks, no_inputs)
    ]
    assert statuses == [200, 200]


async def test_a_crash_in_a_modal_keeps_it_open_with_an_apology(
    app: Running, monkeypatch: pytest.MonkeyPatch, crashes: Crashes
) -> None:
    view = await light_move_modal(app)
    monkeypatch.setattr("bot.usecases.candidates.move", broken_move)
    response = await app.slack.submit_view(view, {"stage": "decision"}, user=RECRUITER)
    assert response.status_code == 200
    assert "went wrong" in response.json()["errors"]["stage"]
    assert len(crashes.take()) == 1
