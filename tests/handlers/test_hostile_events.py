"""Hostile events: odd fields, any url_verification challenge, and Slack's retries
(the properties: tests/handlers/hostile.py)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from bot.domain.questions import read
from bot.playground.sender import SlackSender
from tests.conftest import HM, OUTSIDER, Running
from tests.flows import INTERVIEWER
from tests.handlers.hostile import (
    JSON,
    JSONISH,
    LONG,
    PEOPLE,
    SIGNATURES,
    TEAM,
    TEXT,
    Checker,
    Crashes,
    World,
    hold,
    long_choice_list,
    snapshot,
)

# Numbers or booleans where Bolt expects a user or channel (an id or an object) once crashed
# Bolt itself; they now get a 4xx (test_a_signed_envelope_of_the_wrong_shape_*, in
# test_hostile_requests.py). Here these stay strings, objects or lists.
ID_LIKE = st.one_of(
    st.sampled_from(PEOPLE),
    st.text(),
    LONG,
    st.none(),
    st.lists(st.text(max_size=4), max_size=2),
    st.fixed_dictionaries({"id": st.sampled_from(PEOPLE)}),
    st.dictionaries(st.text(max_size=4), JSONISH, max_size=2),
)
ODD_FIELD = st.one_of(JSONISH, st.sampled_from(["home", "messages", "im", "D123", "1.2"]))


def events(world: World) -> st.SearchStrategy[dict[str, Any]]:
    names = [n.name for n in world.names] + ["jane", "J"]
    question = st.one_of(
        TEXT,
        st.tuples(
            st.sampled_from(["<@UBOT> where is", "where's", "status of", "", "help"]),
            st.sampled_from(names),
            TEXT,
        ).map(" ".join),
    )
    optional = {"channel": ID_LIKE, "event_ts": ODD_FIELD, "ts": ODD_FIELD, "extra": ODD_FIELD}
    home = st.fixed_dictionaries(
        {"type": st.just("app_home_opened")},
        optional={
            "user": ID_LIKE,
            "tab": st.one_of(st.sampled_from(["home", "messages"]), ODD_FIELD),
            "view": ODD_FIELD,
            **optional,
        },
    )
    mention = st.fixed_dictionaries(
        {"type": st.just("app_mention"), "text": question},
        optional={"user": ID_LIKE, **optional},
    )
    direct = st.fixed_dictionaries(
        {
            "type": st.just("message"),
            "channel_type": st.one_of(st.sampled_from(["im", "im", "channel"]), ODD_FIELD),
            "text": question,
        },
        optional={"user": ID_LIKE, "subtype": ODD_FIELD, "bot_id": ODD_FIELD, **optional},
    )
    unknown = st.fixed_dictionaries(
        {"type": st.one_of(st.text(), st.sampled_from(["team_join", "pin_added"]))},
        optional={"user": ID_LIKE, "text": TEXT, **optional},
    )
    return st.one_of(home, mention, direct, unknown)


def asker(event: dict[str, Any]) -> str:
    user = event.get("user")
    return user if isinstance(user, str) and user in TEAM else OUTSIDER


async def test_events_with_odd_fields_are_acknowledged_and_change_nothing(
    world: World, checker: Checker, senders: dict[str, SlackSender]
) -> None:
    # A long question matching several names stays out, as for /hire (long_choice_list).
    evented = events(world).filter(
        lambda e: not long_choice_list(world.names, read(str(e.get("text", ""))).name)
    )

    async def check(drawn: tuple[str, dict[str, Any], int | None]) -> None:
        signature, event, retry = drawn
        await checker(
            asker(event),
            signature,
            lambda: senders[signature].event(event, retry_num=retry),
            said=json.dumps(event, ensure_ascii=False),
            writes=False,
        )

    await hold(
        st.tuples(SIGNATURES, evented, st.one_of(st.none(), st.integers(1, 3))),
        check,
        max_examples=40,
        examples=(
            ("valid", {"type": "app_mention", "user": OUTSIDER, "text": "where is Jane"}, None),
            ("valid", {"type": "app_home_opened", "tab": "home"}, None),
        ),
    )


async def test_url_verification_with_any_challenge_is_answered(
    app: Running, checker: Checker
) -> None:
    async def check(challenge: Any) -> None:
        body = {"token": "verification_token", "challenge": challenge, "type": "url_verification"}
        raw = json.dumps(body).encode()
        await checker(OUTSIDER, "valid", lambda: app.slack.post_raw(raw, content_type=JSON))

    await hold(JSONISH, check, max_examples=15)


# ---- Slack's retries ------------------------------------------------------------------------


async def deliveries(app: Running, event: dict[str, Any], event_id: str) -> list[Any]:
    """The event, then Slack's first and second retries of it; the calls they caused."""
    calls = len(app.standin.calls)
    for retry in (None, 1, 2):
        response = await app.slack.event(event, event_id=event_id, retry_num=retry)
        assert response.status_code == 200
        await app.settle()
    return app.standin.calls[calls:]


async def test_a_retried_app_home_opened_shows_one_home_tab_and_sends_no_message(
    world: World, crashes: Crashes
) -> None:
    before = await snapshot(world.app)
    event = {"type": "app_home_opened", "user": INTERVIEWER, "channel": "DINT", "tab": "home"}

    calls = await deliveries(world.app, event, "Ev0RETRY01")

    published = [c.args["view"] for c in calls if c.method == "views.publish"]
    # Drawing the same Home tab again is harmless; anything a person would notice is not.
    assert 1 <= len(published) <= 3
    assert all(view == published[0] for view in published)
    assert {c.method for c in calls} <= {"views.publish", "users.info", "auth.test"}
    assert await snapshot(world.app) == before
    assert crashes.take() == []


QUESTIONS = {
    "chat.postEphemeral": {  # a mention: only the asker sees the answer
        "type": "app_mention",
        "user": HM,
        "channel": "GHIRING01",
        "text": "<@UBOT> where is Jane?",
    },
    "chat.postMessage": {  # a DM: answered in the DM
        "type": "message",
        "channel_type": "im",
        "user": HM,
        "channel": "DHM",
        "text": "Jane?",
    },
}


async def test_a_retried_question_by_mention_or_dm_is_answered_once(
    world: World, crashes: Crashes
) -> None:
    for number, (method, event) in enumerate(QUESTIONS.items()):
        calls = await deliveries(world.app, event, f"Ev0QUESTION{number}")

        answers = [c for c in calls if c.method in QUESTIONS]
        assert [c.method for c in answers] == [method], event["type"]
        assert "Jane Doe" in json.dumps(answers[0].args)
    assert crashes.take() == []
