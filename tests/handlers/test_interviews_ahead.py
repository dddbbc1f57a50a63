"""`/hire interviews [role]`: a hiring team's interviews to come, through signed requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, update

from bot.domain.interviews import InterviewStatus
from bot.playground.standin import SlackStandin
from bot.readmodels.schedule import NO_TEAM
from bot.slack.blocks.schedule import SHOWN
from bot.store.tables import Interview
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    click,
    create_role,
    kit_for,
    last_view,
    press,
    schedule,
)
from tests.handlers.test_actions import EPHEMERAL

# The interviews are read with their seats and days away in one query each: the
# queries and their pages run on both databases, the rest on SQLite.

THURSDAY_14 = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # the clock starts on Monday 16th


async def ask(app: Running, text: str = "interviews", user: str = RECRUITER) -> dict[str, Any]:
    body = answer(await app.slack.command(text, user=user))
    assert body.get("response_type", "ephemeral") == "ephemeral"
    return body


async def test_a_recruiter_sees_the_next_two_weeks_soonest_first_and_opens_a_card(
    app: Running,
) -> None:
    role = await create_role(app)
    other = await create_role(app, title="Data Engineer", hm=ADMIN, recruiters=(ADMIN,))
    for name in ("Jane Doe", "Omar Haddad", "Ada Late"):
        await add_candidate(app, name, role=role)
    await add_candidate(app, "Lena Park", role=other, user=ADMIN)
    await schedule(app, "Omar Haddad", starts=THURSDAY_14 + timedelta(days=1))
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER, INTERVIEWER_2), starts=THURSDAY_14)
    await schedule(app, "Ada Late", starts=THURSDAY_14 + timedelta(days=20))  # past the window
    await schedule(app, "Lena Park", starts=THURSDAY_14, user=ADMIN)  # not the asker's role

    listing = await ask(app)

    assert listing["text"] == ("2 interviews in the next 14 days (to Monday 2026-11-30).")
    shown = blocks_text(listing["blocks"])
    assert shown.index("*Jane Doe*, Production incident interview (MLOps Engineer)") < shown.index(
        "*Omar Haddad*"
    )
    assert f"<@{INTERVIEWER}>, <@{INTERVIEWER_2}>" in shown
    assert "Ada Late" not in shown and "Lena Park" not in shown
    assert ":warning:" not in shown and ":palm_tree:" not in shown

    # The card opens under the list, which stays.
    [card] = await click(app, listing, "Open card", user=RECRUITER, container=EPHEMERAL)
    assert card.args["replace_original"] is False
    assert json.dumps(card.args["blocks"]).count("Change interviewers") == 1

    # The hiring manager sees the same; a role filter narrows it.
    assert blocks_text((await ask(app, user=HM))["blocks"]) == shown
    assert "Lena Park" in blocks_text((await ask(app, "interviews data", user=ADMIN))["blocks"])
    missing = await ask(app, "interviews platform")
    assert missing["text"].startswith("No role of yours matches “platform”")


@pytest.mark.both_databases
async def test_who_can_t_make_it_or_is_away_that_day_is_flagged(
    app: Running, standin: SlackStandin
) -> None:
    app.standin.set_user(INTERVIEWER_2, tz="Asia/Tokyo", tz_offset=9 * 3600)
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Omar Haddad", role=role)
    await schedule(app, "Jane Doe", starts=THURSDAY_14)
    # Thursday 20:00 UTC is Friday 05:00 in Tokyo.
    await schedule(
        app, "Omar Haddad", interviewers=(INTERVIEWER_2,), starts=THURSDAY_14 + timedelta(hours=6)
    )
    await click(app, kit_for(app, INTERVIEWER), "I can't make it", user=INTERVIEWER)
    await app.slack.submit_view(last_view(app), {"reason": "Out sick"}, user=INTERVIEWER)
    await app.slack.command("away add 2026-11-20", user=INTERVIEWER_2)
    await app.settle()

    listing = await ask(app)
    assert listing["text"].endswith("; 2 interviews with someone who can't make it or is away.")
    shown = blocks_text(listing["blocks"])
    assert f":warning: <@{INTERVIEWER}> can't make it" in shown
    assert f":palm_tree: <@{INTERVIEWER_2}> away that day" in shown

    # Slack slow to say where they are: by UTC (Omar's is on Thursday then), and said.
    standin.delay_next("users.info", 1.5)
    slow = blocks_text((await ask(app))["blocks"])
    assert ":palm_tree:" not in slow
    assert "Dates by UTC: Slack did not say in time where they are." in slow


@pytest.mark.both_databases
async def test_cancelled_and_closed_candidates_interviews_are_not_listed(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Omar Haddad", role=role)
    cancelled = await schedule(app, "Jane Doe", starts=THURSDAY_14)
    await schedule(app, "Omar Haddad", starts=THURSDAY_14 + timedelta(hours=3))
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(Interview.id == cancelled.id)  # type: ignore[arg-type]
            .values(status=InterviewStatus.CANCELLED.value)
        )
    await app.slack.command("move Omar Haddad to rejected: not a fit", user=RECRUITER)

    listing = await ask(app)
    assert listing["text"].startswith("No interviews in the next 14 days")
    assert "`/hire schedule Jane Doe`" in blocks_text(listing["blocks"])


async def test_someone_on_no_hiring_team_is_told_what_to_ask_instead(app: Running) -> None:
    await create_role(app)
    for person in (INTERVIEWER, OUTSIDER):
        assert (await ask(app, user=person))["text"] == NO_TEAM


@pytest.mark.both_databases
async def test_a_long_schedule_shows_the_soonest_and_pages_through_the_rest(
    app: Running,
) -> None:
    role = await create_role(app)
    count = SHOWN + 2
    for n in range(count):
        name = f"Candidate {n:02d}"
        await add_candidate(app, name, role=role)
        await schedule(app, name, starts=THURSDAY_14 + timedelta(hours=2 * n))

    listing = await ask(app)
    assert listing["text"].startswith(f"{count} interviews in the next 14 days")
    shown = blocks_text(listing["blocks"])
    assert "*Candidate 14*" in shown and "*Candidate 15*" not in shown
    assert f"Showing 1 to {SHOWN} of {count}, soonest first." in shown
    ids = [b["accessory"]["action_id"] for b in listing["blocks"] if "accessory" in b]
    assert len(ids) == len(set(ids)) == SHOWN  # one action id per button
    assert "Earlier" not in shown

    # Next 2: the list replaced in place, read afresh, with the way back.
    [page] = await click(app, listing, "Next 2", user=RECRUITER)
    assert page.args["replace_original"] is True
    second = blocks_text(page.args["blocks"])
    assert "*Candidate 15*" in second and "*Candidate 16*" in second
    assert "*Candidate 14*" not in second and "Next" not in second
    assert f"Showing {SHOWN + 1} to {count} of {count}" in second
    [card] = await click(app, page.args, "Open card", user=RECRUITER)  # the last on it
    assert card.args["text"].startswith("Candidate 16: MLOps Engineer")
    [back] = await click(app, page.args, "Earlier", user=RECRUITER)
    assert blocks_text(back.args["blocks"]) == shown


async def test_a_page_keeps_its_role_filter_and_its_askers_roles(app: Running) -> None:
    role = await create_role(app)
    other = await create_role(app, title="Data Engineer", hm=ADMIN, recruiters=(ADMIN,))
    for n in range(SHOWN + 1):
        name = f"Candidate {n:02d}"
        await add_candidate(app, name, role=role)
        await schedule(app, name, starts=THURSDAY_14 + timedelta(hours=n))
    await add_candidate(app, "Lena Park", role=other, user=ADMIN)
    await schedule(app, "Lena Park", starts=THURSDAY_14 + timedelta(days=3), user=ADMIN)

    listing = await ask(app, "interviews mlops")
    [page] = await click(app, listing, "Next 1", user=RECRUITER)
    second = blocks_text(page.args["blocks"])
    assert "roles matching “mlops”" in second and "*Candidate 15*" in second
    assert "Lena Park" not in second
    # The same button pressed by someone on no team: their own answer, not the list.
    [refused] = await click(app, listing, "Next 1", user=OUTSIDER)
    assert refused.args["text"] == NO_TEAM


async def test_a_page_past_the_end_shows_the_last_one(app: Running) -> None:
    """Interviews cancelled since the list was drawn: Next lands on what is left."""
    role = await create_role(app)
    booked = []
    for n in range(SHOWN + 1):
        name = f"Candidate {n:02d}"
        await add_candidate(app, name, role=role)
        booked.append(await schedule(app, name, starts=THURSDAY_14 + timedelta(hours=n)))
    listing = await ask(app)
    async with app.deps.db.transaction() as session:
        await session.exec(
            update(Interview)
            .where(col(Interview.id).in_([i.id for i in booked[:3]]))
            .values(status=InterviewStatus.CANCELLED.value)
        )
    [page] = await click(app, listing, "Next 1", user=RECRUITER)
    shown = blocks_text(page.args["blocks"])
    assert "*Candidate 03*" in shown and "*Candidate 15*" in shown  # all 13 left
    assert "Next" not in shown and "Earlier" not in shown


async def test_a_mangled_page_button_says_ask_again(app: Running) -> None:
    await create_role(app)
    [said] = await press(app, "interviews_page_next", "x:mlops", user=RECRUITER)
    assert "out of date" in said.args["text"]
