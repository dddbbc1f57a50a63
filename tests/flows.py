"""Steps a person takes in Slack, reused by the surface tests. Each goes through
signed requests and the stand-in, exactly as in production."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.playground.standin import blocks_text  # noqa: F401  (the surface tests import it from here)
from bot.store.tables import Candidate, Interview, Role, StageEvent
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, RECRUITER, Running


def last_view(app: Running, method: str = "views.open") -> dict[str, Any]:
    return app.standin.calls_to(method)[-1].args["view"]


async def create_role(
    app: Running,
    *,
    title: str = "MLOps Engineer",
    hm: str = HM,
    recruiters: tuple[str, ...] = (RECRUITER,),
    channel: str = HIRING_CHANNEL,
    **extra: Any,
) -> Role:
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
            select(Candidate).where(Candidate.name == name).order_by(Candidate.id.desc())  # type: ignore[union-attr]
        )
        return result.first()  # type: ignore[return-value]


async def all_candidates(app: Running) -> list[Candidate]:
    async with app.deps.db.reader() as session:
        return list((await session.exec(select(Candidate))).all())


async def events_of(app: Running, candidate: Candidate) -> list[StageEvent]:
    async with app.deps.db.reader() as session:
        result = await session.exec(
            select(StageEvent)
            .where(StageEvent.candidate_id == candidate.id)
            .order_by(StageEvent.id)  # type: ignore[arg-type]
        )
        return list(result.all())


def answer(response: Any) -> dict[str, Any]:
    """What Slack shows for a slash command's HTTP answer: JSON, or plain text as text."""
    assert response.status_code == 200, response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()  # type: ignore[no-any-return]
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
    assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()
    async with app.deps.db.reader() as session:
        result = await session.exec(select(Interview).order_by(Interview.id.desc()))  # type: ignore[union-attr]
        return result.first()  # type: ignore[return-value]


def kit_for(app: Running, interviewer: str) -> dict[str, Any]:
    """The latest interview kit DM'd to the interviewer."""
    kits = [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == interviewer and c.args["text"].startswith("Interview kit")
    ]
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


async def open_scorecard(app: Running, interview: Interview, user: str) -> Any:
    """Click Submit scorecard on the kit; returns the HTTP response of the click."""
    kit = kit_for(app, user)
    button = buttons(kit["blocks"])["Submit scorecard"]
    return await app.slack.action(
        button["action_id"],
        button["value"],
        user=user,
        message=kit,
        channel=f"D{user}",
        response_url=app.standin.response_url(f"kit-{user}"),
    )


async def submit_scorecard(
    app: Running, interview: Interview, user: str = INTERVIEWER, rating: str = "3"
) -> Any:
    await open_scorecard(app, interview, user)
    view = last_view(app)
    response = await app.slack.submit_view(view, good_scorecard(view, rating), user=user)
    await app.settle()
    return response
