"""A fresh playground's workspace, made by replaying two weeks of a hiring team's work.

Nothing is written to the database directly: the clock is set back, and each step is
what a person would do in Slack (a command, a form, a button), sent to the real app.
So the seeded candidates have the history, DMs and clocks that real use would give
them: one MLOps role, a dozen candidates over every stage, interviews behind and
ahead, one scorecard overdue and one offer running out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.playground import workspace
from bot.playground.sender import state_values
from bot.playground.standin import message_text
from bot.playground.workspace import (
    ADMIN,
    HIRING,
    HIRING_MANAGER,
    INTERVIEWER_1,
    INTERVIEWER_2,
    INTERVIEWER_3,
    RECRUITER,
)
from bot.readmodels.weekly import report_moment
from bot.scheduling.report import Report
from bot.store.tables import Candidate

if TYPE_CHECKING:
    from bot.playground.server import Playground

ROLE = "MLOps Engineer"

SUGGESTIONS = [
    {
        "title": "See the pipeline",
        "text": "As Riya, the recruiter, type /hire pipeline in #mlops-hiring: "
        "who is where, and what is late.",
        "as": RECRUITER.id,
        "channel": HIRING.id,
        "prefill": "/hire pipeline",
    },
    {
        "title": "Fill in the overdue scorecard",
        "text": "As Ines, an interviewer, open her DM with Loopkeeper and press "
        "Submit scorecard on Maya Chen's interview kit.",
        "as": INTERVIEWER_2.id,
        "channel": workspace.dm_of(INTERVIEWER_2.id),
        "prefill": "",
    },
    {
        "title": "Ask where a candidate stands",
        "text": "As Hana, the hiring manager, ask Loopkeeper in a DM: where is Elena?",
        "as": HIRING_MANAGER.id,
        "channel": workspace.dm_of(HIRING_MANAGER.id),
        "prefill": "where is Elena?",
    },
]


class SeedError(RuntimeError):
    """The app refused a step of the seed: a bug in the seed or in the app."""


class Replay:
    """One person's steps at set times, through the same paths the page uses."""

    def __init__(self, playground: Playground, start: datetime) -> None:
        self.playground = playground
        self.people = playground.people
        self.start = start
        self.zone = ZoneInfo(workspace.HOME_TZ)
        self._then: datetime | None = None  # where move_clock goes after a weekly report
        self._steps: list[tuple[datetime, int, Callable[[], Awaitable[None]]]] = []

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        """`days` working days after the playground's first morning (before it when
        negative), at a local time of day: hiring teams work on weekdays."""
        local = self.start.astimezone(self.zone)
        step = timedelta(days=1 if days >= 0 else -1)
        for _ in range(abs(days)):
            local += step
            while local.weekday() >= 5:
                local += step
        return local.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def move_clock(self, when: datetime) -> None:
        """To `when`, or first to a weekly report's time on the way, which the next step
        posts on time (catch_up), as a team running the app all along saw it."""
        now = self.playground.clock.now()
        sweeper = self.playground.asgi.state.sweeper
        if sweeper.reports is not None:
            schedule = sweeper.reports
            tz = schedule.tz or HIRING_MANAGER.tz
            moment = report_moment(when, weekday=schedule.weekday, at=schedule.at, tz_name=tz)
            if now < moment:
                self.playground.clock.set(moment)
                self._then = when
                return
        self.playground.clock.set(when)

    async def catch_up(self) -> None:
        """Post the weekly report whose time move_clock stopped at, then go on."""
        if self._then is None:
            return
        await self.playground.asgi.state.sweeper.weekly_reports(
            self.playground.clock.now(), Report()
        )
        await self.settle()
        self.playground.clock.set(self._then)
        self._then = None

    async def command(self, user: str, text: str, channel: str = HIRING.id) -> None:
        await self.catch_up()
        await self.people.say(user, channel, text)

    async def form(self, user: str, values: dict[str, Any]) -> None:
        view = self.people.standin.modal_of(user)
        if view is None:
            answer = self._last_ephemeral(user, HIRING.id)
            raise SeedError(f"no form opened for {user}; last answer: {answer}")
        errors = await self.people.submit(user, view["id"], state_values(view, values))
        if errors:
            raise SeedError(f"{view.get('callback_id')}: {errors}")
        await self.settle()

    async def press(self, user: str, channel: str, label: str, mentioning: str) -> None:
        """Press the button `label` on the latest message in `channel` that names
        `mentioning`."""
        await self.catch_up()
        for message in reversed(self.people.messages_of(user, channel)):
            if mentioning not in message_text(message):
                continue
            for block in message["blocks"] or []:
                for element in _elements(block):
                    if element.get("type") == "button" and element["text"]["text"] == label:
                        action = {
                            "type": "button",
                            "action_id": element["action_id"],
                            "value": element.get("value"),
                        }
                        await self.people.click(
                            user,
                            surface="message",
                            block_id=block["block_id"],
                            action=action,
                            channel=channel,
                            ts=message["ts"],
                        )
                        await self.settle()
                        return
        raise SeedError(f"no {label!r} button about {mentioning} in {channel} for {user}")

    async def settle(self) -> None:
        await self.playground.asgi.state.deps.background.drain(seconds=10)

    def _last_ephemeral(self, user: str, channel: str) -> str | None:
        for message in reversed(self.people.messages_of(user, channel)):
            if message["ephemeral_to"] == user:
                return message_text(message)
        return None

    # ---- the steps people take ------------------------------------------------------
    # Written candidate by candidate (each one's story reads top to bottom), taken in the
    # order of their times (play): a weekly report on the way then counts every candidate
    # the team had that Monday, not only those replayed so far.

    def _queue(self, when: datetime, step: Callable[[], Awaitable[None]]) -> None:
        self._steps.append((when, len(self._steps), step))

    async def play(self) -> None:
        """Every step queued, in the order of their times."""
        steps, self._steps = sorted(self._steps, key=lambda s: (s[0], s[1])), []
        for _, _, step in steps:
            await step()

    async def add(self, name: str, days: int, hour: int = 10) -> None:
        self._queue(self.at(days, hour), lambda: self._add(name, days, hour))

    async def move(self, name: str, stage: str, days: int, hour: int = 11) -> None:
        self._queue(self.at(days, hour), lambda: self._move(name, stage, days, hour))

    async def schedule(
        self, name: str, plan: str, interviewers: list[str], days: int, hour: int, booked: int
    ) -> None:
        step = lambda: self._schedule(name, plan, interviewers, days, hour, booked)  # noqa: E731
        self._queue(self.at(booked, 9, 30), step)

    async def scorecard(
        self, interviewer: str, name: str, days: int, hour: int, rating: str, summary: str
    ) -> None:
        step = lambda: self._scorecard(interviewer, name, days, hour, rating, summary)  # noqa: E731
        self._queue(self.at(days, hour), step)

    async def note(self, user: str, name: str, text: str, days: int, hour: int) -> None:
        self._queue(self.at(days, hour), lambda: self._note(user, name, text, days, hour))

    async def offer(self, name: str, days: int, hour: int, expires: datetime, terms: str) -> None:
        self._queue(self.at(days, hour), lambda: self._offer(name, days, hour, expires, terms))

    async def _add(self, name: str, days: int, hour: int = 10) -> None:
        self.move_clock(self.at(days, hour))
        await self.command(RECRUITER.id, f"/hire add {name}")
        email = name.lower().replace(" ", ".").replace("ü", "ue") + "@example.com"
        await self.form(RECRUITER.id, {"name": name, "email": email})

    async def _move(self, name: str, stage: str, days: int, hour: int = 11) -> None:
        self.move_clock(self.at(days, hour))
        await self.command(RECRUITER.id, f"/hire move {name} to {stage}")

    async def _schedule(
        self, name: str, plan: str, interviewers: list[str], days: int, hour: int, booked: int
    ) -> None:
        """Booked on day `booked` for day `days` at `hour`."""
        self.move_clock(self.at(booked, 9, 30))
        await self.command(RECRUITER.id, f"/hire schedule {name}")
        starts = int(self.at(days, hour).timestamp())
        await self.form(
            RECRUITER.id, {"plan": plan, "interviewers": interviewers, "starts": starts}
        )

    async def _scorecard(
        self, interviewer: str, name: str, days: int, hour: int, rating: str, summary: str
    ) -> None:
        self.move_clock(self.at(days, hour))
        await self.press(interviewer, workspace.dm_of(interviewer), "Submit scorecard", name)
        view = self.people.standin.modal_of(interviewer)
        if view is None:
            raise SeedError(f"the scorecard of {name} did not open for {interviewer}")
        values: dict[str, Any] = {
            block["block_id"]: rating
            for block in view["blocks"]
            if block.get("type") == "input" and block["block_id"].startswith("rate_")
        }
        values.update(recommendation=rating, summary=summary)
        await self.form(interviewer, values)

    async def _note(self, user: str, name: str, text: str, days: int, hour: int) -> None:
        self.move_clock(self.at(days, hour))
        await self.command(user, f"/hire note {name}: {text}")

    async def _offer(self, name: str, days: int, hour: int, expires: datetime, terms: str) -> None:
        self.move_clock(self.at(days, hour))
        await self.command(RECRUITER.id, f"/hire offer {name}")
        await self.form(RECRUITER.id, {"terms": terms, "expires": int(expires.timestamp())})


async def seed(playground: Playground) -> None:
    start = playground.clock.now()
    replay = Replay(playground, start)
    await _role(replay)
    await _candidates(replay)
    await replay.play()
    replay.move_clock(start)
    await replay.catch_up()
    await _check(playground)
    _as_read(playground)
    # What the clocks say now arrives as new: digests, nudges, this week's report.
    await playground.sweep()
    # Home tabs were drawn at the replay's times; open each once, as of now.
    for person in workspace.PEOPLE:
        await playground.people.open_home(person.id)
    await replay.settle()
    playground.suggestions = SUGGESTIONS


async def _role(replay: Replay) -> None:
    replay.move_clock(replay.at(-14, 9))
    await replay.command(ADMIN.id, "/hire role")
    await replay.form(
        ADMIN.id,
        {
            "title": ROLE,
            "hiring_manager": HIRING_MANAGER.id,
            "recruiters": [RECRUITER.id],
            "channel": HIRING.id,
        },
    )


async def _candidates(r: Replay) -> None:
    ivan, ines, theo = INTERVIEWER_1.id, INTERVIEWER_2.id, INTERVIEWER_3.id
    # Hired: a whole loop, ten days ago.
    await r.add("Tom Becker", -13)
    await r.move("Tom Becker", "screening", -13, 14)
    await r.schedule("Tom Becker", "incident", [ivan, ines], -11, 14, booked=-12)
    await r.scorecard(ivan, "Tom Becker", -11, 16, "4", "Ran a model-drift incident end to end.")
    await r.scorecard(ines, "Tom Becker", -10, 10, "3", "Solid serving design; light on alerts.")
    await r.move("Tom Becker", "decision", -10, 15)
    await r.offer("Tom Becker", -9, 11, r.at(-7, 11), "Senior MLOps Engineer, L5, start in March.")
    await r.move("Tom Becker", "hired", -8, 10)

    # Rejected after a screen.
    await r.add("Kai Müller", -12)
    await r.move("Kai Müller", "screening", -11)
    await r.move("Kai Müller", "rejected: no production serving experience yet", -9)

    # In offer, running out this afternoon.
    await r.add("Elena Petrova", -10)
    await r.move("Elena Petrova", "screening", -10, 15)
    await r.schedule("Elena Petrova", "incident", [ivan, theo], -7, 15, booked=-9)
    await r.scorecard(ivan, "Elena Petrova", -7, 17, "4", "Clear root-cause reasoning.")
    await r.scorecard(theo, "Elena Petrova", -6, 10, "4", "Best monitoring answer this month.")
    await r.move("Elena Petrova", "decision", -6, 14)
    await r.offer(
        "Elena Petrova", -2, 15, r.at(0, 16), "MLOps Engineer, L4; she holds a competing offer."
    )
    await r.note(
        RECRUITER.id,
        "Elena Petrova",
        "Called her: the competing offer is L5. She would rather join us; asked for a week.",
        -1,
        16,
    )

    # In decision since yesterday.
    await r.add("Noah Fischer", -9)
    await r.move("Noah Fischer", "screening", -8)
    await r.schedule("Noah Fischer", "audit", [theo], -5, 11, booked=-7)
    await r.scorecard(theo, "Noah Fischer", -5, 13, "3", "Knows Airflow and MLflow well.")
    # Booked the day after the first scorecard: the replay's clock only moves forward.
    await r.schedule("Noah Fischer", "incident", [ivan, ines], -3, 10, booked=-4)
    await r.scorecard(ivan, "Noah Fischer", -3, 12, "3", "Good detection; mitigation vague.")
    await r.scorecard(ines, "Noah Fischer", -2, 9, "2", "Struggled with the rollback plan.")
    await r.move("Noah Fischer", "decision", -1, 10)
    await r.note(
        HIRING_MANAGER.id,
        "Noah Fischer",
        "Strong tooling, weak rollback. A second incident interview before we decide?",
        -1,
        12,
    )

    # Every scorecard in yesterday: the decision window is running.
    await r.add("Priya Raman", -8)
    await r.move("Priya Raman", "screening", -7)
    await r.schedule("Priya Raman", "incident", [ines, theo], -2, 14, booked=-6)
    await r.scorecard(ines, "Priya Raman", -2, 16, "4", "Calm, structured, measurable.")
    await r.scorecard(theo, "Priya Raman", -1, 11, "3", "Strong pipeline work, less on serving.")

    # One scorecard overdue: Ines has not written hers.
    await r.add("Maya Chen", -7)
    await r.move("Maya Chen", "screening", -6)
    await r.schedule("Maya Chen", "incident", [ivan, ines], -2, 11, booked=-4)
    await r.scorecard(ivan, "Maya Chen", -2, 13, "3", "Good on drift; unsure about canaries.")

    # Interviews ahead.
    await r.add("Luis Ortega", -6)
    await r.move("Luis Ortega", "screening", -5)
    await r.schedule("Luis Ortega", "audit", [theo], -1, 15, booked=-3)
    await r.scorecard(theo, "Luis Ortega", -1, 17, "3", "Knows the tooling; next: incident.")
    await r.schedule("Luis Ortega", "incident", [ivan], 1, 15, booked=0)

    await r.add("Sam Okafor", -5)
    await r.move("Sam Okafor", "screening", -4)
    await r.schedule("Sam Okafor", "takehome", [ines, theo], 0, 14, booked=-1)

    # Earlier stages.
    await r.add("Chloe Nguyen", -6)
    await r.move("Chloe Nguyen", "screening", -4)
    await r.add("Dev Sharma", -2)
    await r.move("Dev Sharma", "screening", -1)
    await r.add("Ben Carter", -3)
    await r.add("Ana Souza", -1, 16)


EXPECTED = {
    "Tom Becker": "hired",
    "Kai Müller": "rejected",
    "Elena Petrova": "offer",
    "Noah Fischer": "decision",
    "Priya Raman": "interviewing",
    "Maya Chen": "interviewing",
    "Luis Ortega": "interviewing",
    "Sam Okafor": "interviewing",
    "Chloe Nguyen": "screening",
    "Dev Sharma": "screening",
    "Ben Carter": "sourced",
    "Ana Souza": "sourced",
}


async def _check(playground: Playground) -> None:
    """The app took every step: each candidate stands where the replay put them."""
    async with playground.asgi.state.deps.db.reader() as session:
        rows = (await session.exec(select(Candidate))).all()
    stages = {row.name: str(row.stage) for row in rows}
    if stages != EXPECTED:
        raise SeedError(f"the seed ended with {stages}, not {EXPECTED}")


def _as_read(playground: Playground) -> None:
    """The replay's past is read: its answers were ephemeral (Slack forgets those on a
    reload), and its DMs were read by the people at the time."""
    standin = playground.standin
    for channel, messages in standin.conversations.items():
        standin.conversations[channel] = [m for m in messages if m["ephemeral_to"] is None]
    for person in workspace.PEOPLE:
        for channel in playground.people.conversations_of(person.id):
            playground.mark_read(person.id, channel)


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    candidates = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
    return [e for e in candidates if isinstance(e, dict)]
