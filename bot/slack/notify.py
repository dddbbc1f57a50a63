"""Messages Loopkeeper sends on its own: DMs, kits, the Home tab, the loop summary.

These run after Slack has its answer (bot.runtime.background), so a slow or failing Web API
call never holds up a person's click; failures are logged with the reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.domain import clocks
from bot.readmodels.home import home
from bot.runtime import background
from bot.slack.blocks.home import home_view
from bot.slack.blocks.interview_changes import (
    called_off_kit,
    called_off_message,
    released_kit,
    released_message,
)
from bot.slack.blocks.interviews import (
    kit_message,
    loop_revised_message,
    loop_summary_message,
    reopened_message,
)
from bot.slack.blocks.jsonify import as_json, as_json_list
from bot.store.engine import Database
from bot.store.tables import Scorecard
from bot.usecases import app_tabs, days_away, feedback, interviews
from bot.usecases.candidates import Moved

log = logging.getLogger(__name__)

# What the Web API client raises when Slack cannot be reached at all.
UNREACHABLE = (TimeoutError, OSError, aiohttp.ClientError)


def refusal(error: SlackApiError) -> str:
    """Slack's error code; for an answer that was not Slack's JSON (a proxy's HTML page,
    where slack-sdk hands over the raw HTTP response instead), its HTTP status."""
    response = error.response
    if isinstance(response, AsyncSlackResponse):
        return str(response.get("error") or f"http {response.status_code}")
    return f"http {getattr(response, 'status', '?')}: not a Slack answer"


# A kept-alive connection Slack closed meanwhile fails at once: one more try, on a new one
# (what slack-sdk's AsyncConnectionErrorRetryHandler does for its own clients).
_RECONNECT = (aiohttp.ServerConnectionError, aiohttp.ClientOSError)
_JSON = {"Content-Type": "application/json;charset=utf-8"}


async def respond(client: AsyncWebClient, url: str, message: Mapping[str, Any]) -> bool:
    """Post an answer to a click's response_url. True when Slack took it.

    Straight through the client's kept-alive aiohttp session, not slack-sdk's
    AsyncWebhookClient: the wrapper (re-walking the blocks, dropping empty values, its
    response object) cost more than the post itself, 0.13 ms of a 1.8 ms click
    (bench, 2026-12-01). An answer Slack refuses (an expired response_url, say) is
    logged, which the wrapper left silent."""
    body = json_bytes(message)
    for attempt in (1, 2):
        try:
            if client.session is None:  # no kept-alive session (a one-off client)
                timeout = aiohttp.ClientTimeout(total=client.timeout)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    return await _post(session, url, body)
            return await _post(client.session, url, body)
        except _RECONNECT as error:
            if attempt == 2:
                log.warning("could not answer a click: %s", error.__class__.__name__)
        except UNREACHABLE as error:
            log.warning("could not answer a click: %s", error.__class__.__name__)
            return False
    return False


def json_bytes(message: Mapping[str, Any]) -> bytes:
    """The JSON Slack gets, by orjson: a kept status card's blocks took the standard
    library a tenth of the click that sends them, and orjson a fortieth (py-spy,
    in-process, 8,000 clicks). Text with a lone surrogate (an escape in what someone
    typed: "\\ud800"), which orjson refuses, goes as the standard library writes it."""
    try:
        return orjson.dumps(message)
    except orjson.JSONEncodeError:
        return json.dumps(message).encode()


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> bool:
    async with session.post(url, data=body, headers=_JSON) as response:
        answer = await response.text()
        if response.status == 200:
            return True
    log.warning("Slack refused the answer to a click: http %s %s", response.status, answer[:100])
    return False


async def dm(client: AsyncWebClient, user_id: str, text: str, blocks: Sequence[Block]) -> bool:
    """Post to a person's DM with the app (their Messages tab). True when Slack took it."""
    try:
        # No blocks at all: text only.
        await client.chat_postMessage(
            channel=user_id, text=text, blocks=as_json_list(blocks) or None
        )
    except SlackApiError as error:
        log.warning("DM to %s failed: %s", user_id, refusal(error))
        return False
    except UNREACHABLE as error:
        log.warning("DM to %s failed: Slack unreachable (%s)", user_id, type(error).__name__)
        return False
    return True


async def profile(client: AsyncWebClient, user_id: str) -> dict[str, Any]:
    """users.info's user, or {} when Slack cannot say (deleted user, missing scope)."""
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as error:
        log.warning("users.info for %s failed: %s", user_id, refusal(error))
        return {}
    except UNREACHABLE as error:  # the sweep must go on without a time zone
        log.warning(
            "users.info for %s failed: Slack unreachable (%s)", user_id, type(error).__name__
        )
        return {}
    user = response.get("user")
    return user if isinstance(user, dict) else {}


def short_name(user: dict[str, Any], fallback: str) -> str:
    profile_ = user.get("profile") or {}
    name = profile_.get("display_name") or user.get("real_name") or profile_.get("real_name")
    return str(name).split()[0] if name else fallback


async def short_names(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
    return {u: short_name(await profile(client, u), u) for u in user_ids}


async def full_names(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
    """Each person's name as Slack shows it (a file read outside Slack has no mentions);
    those Slack could not say are left out."""
    names = {}
    for user_id in sorted(set(user_ids)):
        found = await profile(client, user_id)
        details = found.get("profile") or {}
        name = found.get("real_name") or details.get("real_name") or details.get("display_name")
        if name:
            names[user_id] = str(name)
    return names


async def publish_home(client: AsyncWebClient, db: Database, user_id: str, now: datetime) -> None:
    data = await home(db, user_id=user_id, now=now)
    # Whether an interview falls on a day away goes by the date where its interviewer
    # is: asked of Slack, in one wait of a form's check at most, only for those it could
    # (the team's interviewers near one, and the person themselves near one of theirs).
    asked = set(days_away.may_be_booked_away(data.booked, data.days_away))
    near_mine = days_away.may_be_on_my_days_away(data.assignments, data.my_days_away, now=now)
    if near_mine:
        asked.add(user_id)
    zones = await time_zones_in_time(client, sorted(asked)) if asked else {}
    known = zones or {}
    booked = days_away.booked_away(data.booked, data.days_away, known)
    mine = (
        days_away.on_my_days_away(
            data.assignments, data.my_days_away, tz_name=known.get(user_id), now=now
        )
        if near_mine
        else set()
    )
    view = home_view(data, now=now, booked_away=booked, zones_known=zones is not None, my_away=mine)
    try:
        await client.views_publish(user_id=user_id, view=as_json(view))
    except SlackApiError as error:
        log.warning("views.publish for %s failed: %s", user_id, refusal(error))
    except UNREACHABLE as error:
        log.warning(
            "views.publish for %s failed: Slack unreachable (%s)", user_id, type(error).__name__
        )


async def post(
    client: AsyncWebClient, channel: str, text: str, blocks: Sequence[Block]
) -> tuple[str, str] | None:
    """Like dm(), but where the message landed (the DM's channel id and the ts), for a
    message a later change edits; None when Slack did not take it."""
    try:
        response = await client.chat_postMessage(
            channel=channel, text=text, blocks=as_json_list(blocks) or None
        )
    except SlackApiError as error:
        log.warning("DM to %s failed: %s", channel, refusal(error))
        return None
    except UNREACHABLE as error:
        log.warning("DM to %s failed: Slack unreachable (%s)", channel, type(error).__name__)
        return None
    posted_in, ts = response.get("channel"), response.get("ts")
    return (posted_in, ts) if isinstance(posted_in, str) and isinstance(ts, str) else None


async def edit(
    client: AsyncWebClient, channel: str, ts: str, text: str, blocks: Sequence[Block]
) -> bool:
    """Replace a message the app sent; False when Slack would not (deleted, too old)."""
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=as_json_list(blocks))
    except SlackApiError as error:
        log.warning("chat.update in %s failed: %s", channel, refusal(error))
        return False
    except UNREACHABLE as error:
        log.warning(
            "chat.update in %s failed: Slack unreachable (%s)", channel, type(error).__name__
        )
        return False
    return True


async def time_zone(client: AsyncWebClient, user_id: str) -> str | None:
    tz = (await profile(client, user_id)).get("tz")
    return tz if isinstance(tz, str) else None


async def time_zones(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str | None]:
    """Each person's zone, asked once: a change to an interview needs them for the day-off
    check (bot.usecases.feedback.with_local_warnings) and for each kit. Asked of Slack all at
    once: a form's check waits for them before it answers (time_zones_in_time)."""
    people = list(dict.fromkeys(user_ids))
    zones = await asyncio.gather(*(time_zone(client, user_id) for user_id in people))
    return dict(zip(people, zones, strict=True))


# How long a form's check waits for Slack to say where the interviewers are, within the
# 3 seconds Slack gives the answer. Past it, days off are left out of the form's
# warnings; the DM after the change still has them.
ZONES_WAIT_SECONDS = 1.0


async def time_zones_in_time(
    client: AsyncWebClient, user_ids: Iterable[str]
) -> dict[str, str | None] | None:
    """time_zones, or None when Slack takes over ZONES_WAIT_SECONDS to say."""
    try:
        async with asyncio.timeout(ZONES_WAIT_SECONDS):
            return await time_zones(client, user_ids)
    except TimeoutError:
        log.warning(
            "time zones took over %.1f s: a form's check skips days off", ZONES_WAIT_SECONDS
        )
        return None


CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,31}")


async def is_public_channel(client: AsyncWebClient, channel_id: str) -> bool:
    """Whether Slack says `channel_id` is a public channel, asked within a form's time
    (ZONES_WAIT_SECONDS). Candidate news must never go to one: the role form's picker
    offers private channels only, and this catches what it can't (a form sent by hand, a
    client that ignores the filter). Not knowing is not a refusal: a private channel
    Loopkeeper is not in yet reads as not found, and the role's creator is told to
    invite it when its welcome can't be posted."""
    if not CHANNEL_ID.fullmatch(channel_id):  # a forged form's: nothing to ask Slack about
        return False
    try:
        async with asyncio.timeout(ZONES_WAIT_SECONDS):
            response = await client.conversations_info(channel=channel_id)
    except TimeoutError:
        log.warning("conversations.info for %s took over %.1f s", channel_id, ZONES_WAIT_SECONDS)
        return False
    except SlackApiError as error:
        log.info("conversations.info for %s: %s", channel_id, refusal(error))
        return False
    except UNREACHABLE as error:
        log.warning("conversations.info: Slack unreachable (%s)", type(error).__name__)
        return False
    channel = response.get("channel")
    if not isinstance(channel, dict):
        return False
    return channel.get("is_channel") is True and channel.get("is_private") is False


async def send_kits(
    client: AsyncWebClient,
    db: Database,
    scheduled: feedback.Scheduled,
    zones: Mapping[str, str | None],
    *,
    sent: Mapping[str, tuple[str | None, str | None]] | None = None,
) -> None:
    """Each interviewer: the kit, in their own time zone (`zones`, from time_zones; their
    Home tab shows the interview when they next open it), saying so when it falls on a
    day off where they are or on one of their days away (`scheduled` warned by
    feedback.with_local_warnings). A kit already
    sent (`sent`: interviewer -> its channel and ts) is edited in place; where each kit
    landed is kept, so the next change edits it too."""
    interview_id = scheduled.interview.id or 0
    for interviewer in scheduled.interviewer_ids:
        text, blocks = kit_message(
            scheduled, tz_name=zones.get(interviewer), interviewer_id=interviewer
        )
        channel, ts = (sent or {}).get(interviewer, (None, None))
        if not (channel and ts and await edit(client, channel, ts, text, blocks)):
            posted = await post(client, interviewer, text, blocks)
            if posted is not None:
                await interviews.kit_sent(
                    db,
                    interview_id=interview_id,
                    interviewer_id=interviewer,
                    channel=posted[0],
                    ts=posted[1],
                )


async def called_off(client: AsyncWebClient, moved: Moved) -> None:
    """The interviews a candidate's leaving called off: each kit says so, and each
    interviewer gets a DM (kits are edited first: the DM's notification points there).
    Whoever still owed a scorecard or a grade the move closed hears they need not."""
    for off in moved.called_off:
        text, message = called_off_kit(moved.card, off)
        for _, channel, ts in off.kits:
            if channel and ts:
                await edit(client, channel, ts, text, message)
        told = called_off_message(moved.card, off)
        for interviewer, _, _ in off.kits:
            await dm(client, interviewer, *told)
    for released in moved.released:
        if released.kit is not None:  # its Submit button would only be refused now
            await edit(client, *released.kit, *released_kit(moved.card, released))
        await dm(client, released.user_id, *released_message(moved.card, released))
    # Their kits are drawn again whole by the caller (handlers.render): the kit is more
    # than a button, and "no longer needed" in its place would stay.
    for reopened in moved.reopened:
        await dm(client, reopened.user_id, *reopened_message(moved.card, reopened))


async def send_loop_summary(
    client: AsyncWebClient, loop: feedback.Loop, *, completed_at: datetime
) -> None:
    """One private message to each recruiter and the hiring manager."""
    candidate = loop.candidate
    decision = clocks.decision_deadline(
        clocks.of_role(loop.role),
        completed_at,
        stage=candidate.stage,
        stage_entered_at=candidate.stage_entered_at,
        candidate_deadline=candidate.deadline_at,
    )
    text, blocks = loop_summary_message(
        loop,
        await _loop_names(client, loop),
        decide_by=decision.at,
        now=completed_at,
        candidate_by=candidate.deadline_at if decision.moved_from is not None else None,
    )
    for person in _deciders(loop):
        await dm(client, person, text, blocks)


async def send_loop_revised(
    client: AsyncWebClient,
    loop: feedback.Loop,
    *,
    editor_id: str,
    was: Scorecard,
    now: Scorecard,
    revision: Sequence[str] = (),
) -> None:
    """To each recruiter and the hiring manager but the editor: the scorecard they read
    in the summary changed."""
    names = await _loop_names(client, loop)
    text, blocks = loop_revised_message(
        loop, names, editor_id=editor_id, was=was, now=now, revision=revision
    )
    for person in _deciders(loop):
        if person != editor_id:
            await dm(client, person, text, blocks)


async def _loop_names(client: AsyncWebClient, loop: feedback.Loop) -> Mapping[str, str]:
    """The short names of everyone whose feedback the loop's table shows."""
    graders = [g.grader_id for g in loop.takehome.graders] if loop.takehome else []
    return await short_names(client, {*(s.interviewer_id for s in loop.seats), *graders})


def _deciders(loop: feedback.Loop) -> list[str]:
    """Who decides on the loop's feedback: its recruiters and hiring manager."""
    return loop.team.members


class HomeRedraws:
    """Redraws Home tabs after changes, coalesced: changes within `delay` seconds of each
    other become one redraw per person, and a person's redraws never overlap. A Home
    tab is a summary; being a second or two late is fine, redrawing it for every click
    of a busy loop is not (it is the costliest read the app makes). Nor is redrawing
    the tab of someone whose last-opened tab of the app is not Home (a scorecard sent
    from the kit's DM): opening Home draws it fresh (bot/usecases/app_tabs.py)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self._pending: set[str] = set()
        self._flushing = False

    async def redraw(
        self,
        client: AsyncWebClient,
        db: Database,
        user_ids: Iterable[str],
        now: Callable[[], datetime],
        *,
        looked_at_only: bool = True,
    ) -> None:
        """`looked_at_only`: only someone whose last-opened tab of the app is Home may be
        looking at it; nothing to redraw or wait for otherwise (opening Home draws it
        fresh, change included). Off for an erasure: Slack keeps each published tab,
        looked at or not, and none may keep the name."""
        users = list(user_ids)
        looking = await app_tabs.on_home(db, user_ids=users) if looked_at_only else users
        self._pending.update(looking)
        if self._flushing or not self._pending:
            return  # the flush under way picks these people up
        self._flushing = True
        try:
            while self._pending:
                if self.delay:
                    async with background.aside():  # holding no place meanwhile
                        await asyncio.sleep(self.delay)  # let a burst of changes gather
                batch, self._pending = sorted(self._pending), set()
                for user_id in batch:
                    await publish_home(client, db, user_id, now())
        finally:
            self._flushing = False
