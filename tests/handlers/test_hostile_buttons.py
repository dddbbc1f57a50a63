"""Hostile button clicks: any action_id suffix and value, in a message or on the Home tab
(the properties: tests/handlers/hostile.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bot.playground.sender import SlackSender
from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import INTERVIEWER
from tests.handlers.hostile import (
    ACTION_IDS,
    PEOPLE,
    SAFE_INT,
    SIGNATURES,
    STAGE_NAMES,
    TEXT,
    Checker,
    Crashes,
    World,
    hold,
    ids_of,
)

HOME = {"id": "VHOME0001", "type": "home", "blocks": []}


def action_ids() -> st.SearchStrategy[str]:
    suffix = st.one_of(
        st.just(""),
        st.integers(min_value=0, max_value=SAFE_INT).map(lambda n: f"_{n}"),
        st.text(max_size=10).map(lambda s: f"_{s}"),
    )
    return st.tuples(st.sampled_from(ACTION_IDS), suffix).map("".join)


def action_values(world: World) -> st.SearchStrategy[str | None]:
    number = ids_of(world).map(str)
    stage = st.sampled_from(STAGE_NAMES)
    part = st.one_of(number, stage, st.text(max_size=12))
    return st.one_of(
        st.none(),
        TEXT,
        number,
        st.tuples(number, stage).map(":".join),
        st.tuples(number, stage, stage).map(":".join),
        st.lists(part, max_size=5).map(":".join),
    )


def answers_in_place(action_id: str) -> bool:
    """Listeners that once answered only through response_url, which a click on the Home
    tab does not have; they now answer wherever the click came from, which
    test_open_status_on_the_home_tab_shows_the_card checks."""
    return action_id.startswith(("status_open", "move_advance"))


async def test_every_button_with_any_value_is_answered_and_changes_only_what_it_may(
    world: World, checker: Checker, senders: dict[str, SlackSender]
) -> None:
    app = world.app

    async def check(drawn: tuple[str, str, str, str | None, str, bool]) -> None:
        user, signature, action_id, value, kind, in_home_tab = drawn
        sender = senders[signature]
        # A click on the Home tab has no response_url; one on a message has.
        where: dict[str, Any] = (
            {"view": HOME}
            if in_home_tab
            else {"response_url": app.standin.response_url(f"hostile-{user}")}
        )

        async def send() -> Any:
            if kind == "button":
                return await sender.action(action_id, value, user=user, **where)
            # A select or an overflow menu: the value comes as the picked option's.
            option = {"text": {"type": "plain_text", "text": "x"}, "value": value or ""}
            return await sender.action(
                action_id, None, user=user, action_type=kind, selected_option=option, **where
            )

        await checker(user, signature, send)

    clicks = st.tuples(
        st.sampled_from(PEOPLE),
        SIGNATURES,
        action_ids(),
        action_values(world),
        st.sampled_from(["button", "button", "static_select", "overflow"]),
        st.booleans(),
    ).filter(lambda c: not (c[5] and answers_in_place(c[2])))
    jane_advance = f"{world.jane.id}:interviewing:decision"
    await hold(
        clicks,
        check,
        max_examples=60,
        examples=(
            (OUTSIDER, "valid", "move_advance", jane_advance, "button", False),
            (INTERVIEWER, "valid", "offer_accepted", "1", "button", True),
            (HM, "valid", "alert_snooze_1", "1", "button", True),
        ),
    )


# ---- regressions: what these properties found, now fixed ------------------------------------
# One test per cause; the properties keep its trigger out of their strategies.


async def test_ids_beyond_64_bits_are_not_found_rather_than_a_server_error(
    app: Running, crashes: Crashes
) -> None:
    big = str(2**63)
    statuses = {}
    for action_id in ACTION_IDS:
        value = f"{big}:sourced:screening" if action_id == "move_advance" else big
        response = await app.slack.action(
            action_id, value, user=RECRUITER, response_url=app.standin.response_url("big")
        )
        statuses[action_id] = response.status_code
    await app.settle()
    assert statuses == dict.fromkeys(ACTION_IDS, 200)
    assert crashes.take() == []


async def test_open_status_on_the_home_tab_shows_the_card(world: World, crashes: Crashes) -> None:
    app = world.app
    await app.slack.event({"type": "app_home_opened", "user": RECRUITER, "tab": "home"})
    await app.settle()
    published = app.standin.calls_to("views.publish")[-1].response
    assert published is not None
    home = published["view"]
    [action_id] = [
        e["action_id"]
        for b in home["blocks"]
        for e in [b.get("accessory"), *(b.get("elements") or [])]
        if isinstance(e, dict) and str(e.get("action_id")).startswith("status_open")
    ][:1]
    calls = len(app.standin.calls)

    response = await app.slack.action(
        action_id, action_id.rsplit("_", 1)[1], user=RECRUITER, view=home
    )
    await app.settle()

    assert response.status_code == 200
    assert crashes.take() == []
    shown = [c for c in app.standin.calls[calls:] if c.method in ("chat.postMessage", "views.open")]
    assert shown, "the card went nowhere"
