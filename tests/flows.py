"""Steps a person takes in Slack, reused by the surface tests. Each goes through
signed requests and the stand-in, exactly as in production."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import SQLModel, col, select

from bot.playground.standin import (
    blocks_text as blocks_text,
)  # the surface tests import it from here
from bot.store.tables import Candidate, Interview, Role, StageEvent
from tests.conftest import ADMIN, HM, RECRUITER, Running, free_channel

T = TypeVar("T", bound=SQLModel)


def last_view(app: Running, method: str = "views.open") -> dict[str, Any]:
    return app.standin.calls_to(method)[-1].args["view"]


async def create_role(
    app: Running,
    *,
    title: str = "MLOps Engineer",
    hm: str = HM,
    recruiters: tuple[str, ...] = (RECRUITER,),
    channel: str | None = None,
    **extra: Any,
) -> Role:
    """The admin creates a role through the form. Its channel, unless given: the tests'
    hiring channel, unless a role of another team has it (tests.conftest.free_channel)."""
    if channel is None:
        channel = await free_channel(app.deps.db, title, {hm, *recruiters})
    response = await app.slack.command("role", user=ADMIN)
    assert response.status_code == 200, response.text
    values = {
        "title": title,
        "hiring_manager": hm,
        "recruiters": list(recruiters),
        "channel": channel,
        **extra,
    }
    submitted = await app.slack.submit_view(last_view(app), values, user=ADMIN)
    assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()
    async with app.deps.db.reader() as session:
        role = (await session.exec(select(Role).where(Role.title == title))).one()
    return role


async def add_candidate(
    app: Running,
    name: str,
    *,
    role: Role,
    user: str = RECRUITER,
    email: str | None = None,
    links: str | None = None,
) -> Candidate:
    response = await app.slack.command("add", user=user)
    assert response.status_code == 200 and not response.content, response.text
    values: dict[str, Any] = {"name": name, "role": str(role.id)}
    if email is not None:
        values["email"] = email
    if links is not None:
        values["links"] = links
    submitted = await app.slack.submit_view(last_view(app), values, user=user)
    assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()
    return await candidate_named(app, " ".join(name.split()))


async def candidate_named(app: Running, name: str) -> Candidate:
    async with app.deps.db.reader() as session:
        result = await session.exec(
            select(Candidate).where(Candidate.name == name).order_by(col(Candidate.id).desc())
        )
        candidate = result.first()
    assert candidate is not None, f"no candidate named {name!r}"
    return candidate


async def stored(app: Running, table: type[T]) -> list[T]:
    """Every row of the table, in the order they were stored."""
    async with app.deps.db.reader() as session:
        return list((await session.exec(select(table).order_by(table.id))).all())  # type: ignore[attr-defined]  # T is any table; each has an id, SQLModel does not declare one


async def all_candidates(app: Running) -> list[Candidate]:
    async with app.deps.db.reader() as session:
        return list((await session.exec(select(Candidate))).all())


async def events_of(app: Running, candidate: Candidate) -> list[StageEvent]:
    async with app.deps.db.reader() as session:
        result = await session.exec(
            select(StageEvent)
            .where(StageEvent.candidate_id == candidate.id)
            .order_by(col(StageEvent.id))
        )
        return list(result.all())


def answer(response: Any) -> dict[str, Any]:
    """What Slack shows for a slash command's HTTP answer: JSON, or plain text as text."""
    assert response.status_code == 200, response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return {"text": response.text}


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every button by its visible label."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found[node["text"]["text"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return found


async def press(
    app: Running,
    action_id: str,
    value: str | None,
    *,
    user: str,
    answers: str | None = None,
    settle: bool = False,
    **options: Any,
) -> list[Any]:
    """A button click as Slack sends it, for any action id and value (a forged or stale
    one too); returns what the app posted to the click's response_url (named `answers`,
    else after the user). `options` go to the sender's action(): the message, ephemeral,
    a container, a channel; `settle` waits for the work the click left running."""
    before = len(app.standin.calls)
    response = await app.slack.action(
        action_id,
        value,
        user=user,
        response_url=app.standin.response_url(answers or user),
        **options,
    )
    assert response.status_code == 200
    if settle:
        await app.settle()
    return [c for c in app.standin.calls[before:] if c.method.startswith("response_url:")]


async def click(
    app: Running, message: dict[str, Any], label: str, *, user: str, **options: Any
) -> list[Any]:
    """Click the button labelled `label` on a message as `user` (press's `options`)."""
    button = buttons(message["blocks"])[label]
    return await press(
        app, button["action_id"], button.get("value"), user=user, message=message, **options
    )


async def cant_make_it(app: Running, interviewer: str, reason: str) -> None:
    """The interviewer presses I can't make it on their latest kit and sends the form."""
    kit = kit_for(app, interviewer)
    await click(app, kit, "I can't make it", user=interviewer, channel=f"D{interviewer}")
    done = await app.slack.submit_view(last_view(app), {"reason": reason}, user=interviewer)
    assert not done.content, done.text


async def home_of(app: Running, user: str) -> dict[str, Any]:
    """The Home tab the person sees when they open it (the app publishes it anew)."""
    await app.settle()  # Home tabs redrawn by earlier changes are not this one
    before = len(app.standin.calls)
    await app.slack.event(
        {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1"}
    )
    await app.settle()
    [published] = [c for c in app.standin.calls[before:] if c.method == "views.publish"]
    return published.args["view"]


async def opens(app: Running, user: str, tab: str, *, seconds_ago: float = 0) -> None:
    """`user` opens `tab` of the app; Slack stamps the event with when that was."""
    stamp = app.deps.clock.now() - timedelta(seconds=seconds_ago)
    await app.slack.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": f"D{user}",
            "tab": tab,
            "event_ts": f"{stamp.timestamp():.6f}",
        }
    )
    await app.settle()


async def extend_offer(app: Running, name: str, *, user: str = RECRUITER) -> None:
    """`/hire offer <name>`, submitted with terms and the default 48 h window."""
    await app.slack.command(f"offer {name}", user=user)
    offered = await app.slack.submit_view(
        last_view(app),
        {"terms": "L5, 180k", "expires": app.deps.clock.now() + timedelta(hours=48)},
        user=user,
    )
    assert offered.status_code == 200 and not offered.content, offered.text


INTERVIEWER = "UINT0001"
INTERVIEWER_2 = "UINT0002"


async def schedule(
    app: Running,
    name: str,
    *,
    plan: str = "incident",
    interviewers: tuple[str, ...] = (INTERVIEWER,),
    starts: datetime | None = None,
    minutes: str | None = None,
    user: str = RECRUITER,
) -> Interview:
    """`/hire schedule <name>`, filled in and submitted; returns the stored interview."""
    response = await app.slack.command(f"schedule {name}", user=user)
    assert response.status_code == 200 and not response.content, response.text
    values: dict[str, Any] = {
        "plan": plan,
        "interviewers": list(interviewers),
        "starts": starts or app.deps.clock.now() + timedelta(days=1),
    }
    if minutes is not None:
        values["minutes"] = minutes
    submitted = await app.slack.submit_view(last_view(app), values, user=user)
    assert submitted.status_code == 200, submitted.text
    if submitted.content:
        # Booking would warn: the form came back with the warnings, filled in as it was
        # sent; sent again as it is (Slack keeps what was entered), it books.
        warned = answer(submitted)
        assert warned["response_action"] == "update", warned
        assert warned["view"]["submit"]["text"] == "Schedule anyway"
        submitted = await app.slack.submit_view(warned["view"], values, user=user)
        assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()
    async with app.deps.db.reader() as session:
        result = await session.exec(select(Interview).order_by(col(Interview.id).desc()))
        interview = result.first()
    assert interview is not None, "no interview was scheduled"
    return interview


async def add_day_off(app: Running, text: str) -> None:
    """`/hire holidays add <text>` by the admin, which must add the day."""
    response = await app.slack.command(f"holidays add {text}", user=ADMIN)
    assert "now a company day off" in answer(response)["text"]


def kit_for(app: Running, interviewer: str, interview: Interview | None = None) -> dict[str, Any]:
    """The latest interview kit DM'd to the interviewer (of `interview`, if given)."""
    kits = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == interviewer and c.args["text"].startswith("Interview kit")
    ]
    if interview is not None:
        of_it = [k for k in kits if f'"value": "{interview.id}"' in json.dumps(k["blocks"])]
        kits = of_it or kits  # a kit with no Submit button left: the latest one
    assert kits, f"no kit was sent to {interviewer}"
    return kits[-1]


def good_scorecard(view: dict[str, Any], rating: str = "3") -> dict[str, Any]:
    """Every competency of the modal rated, a recommendation and a summary."""
    values: dict[str, Any] = {
        b["block_id"]: rating
        for b in view["blocks"]
        if b.get("type") == "input" and b["block_id"].startswith("rate_")
    }
    values["recommendation"] = rating
    values["summary"] = "Walked through a real drift incident end to end."
    return values


async def open_scorecard(app: Running, interview: Interview, user: str) -> list[Any]:
    """Click Submit scorecard on the kit; returns what the click answered privately. A
    scorecard opens once its interview has begun: a clock before it moves to its end."""
    clock = app.deps.clock
    if clock.now() < interview.starts_at:
        clock.set(interview.ends_at)  # type: ignore[attr-defined]
    kit = kit_for(app, user, interview)
    return await click(
        app, kit, "Submit scorecard", user=user, answers=f"kit-{user}", channel=f"D{user}"
    )


async def submit_scorecard(
    app: Running, interview: Interview, user: str = INTERVIEWER, rating: str = "3"
) -> Any:
    await open_scorecard(app, interview, user)
    view = last_view(app)
    response = await app.slack.submit_view(view, good_scorecard(view, rating), user=user)
    await app.settle()
    return response


async def changes_made(app: Running) -> list[Any]:
    """The change records but the bookings' (each interview scheduled writes one): what a
    test of a later change looks at."""
    from bot.store.tables import Change

    return [c for c in await stored(app, Change) if c.kind != "interview_booked"]
