"""Editing a candidate and moving them to another role through signed Slack requests: the
Edit button on the status card, the form filled in, bad values on the field, a stale
form, and a move by someone on both roles' teams (their scorecards come along)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import col, select, update

from bot.store.tables import Candidate, Change, Interview, Role
from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    home_of,
    kit_for,
    last_view,
    opens,
    press,
    schedule,
    stored,
    submit_scorecard,
)
from tests.scheduling.test_sweep import messages_to

# Edits are locked read-and-writes checked against unique keys: those run on both
# databases, wording and who may on SQLite.


async def card_of(app: Running, name: str, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command(f"status {name}", user=user))


async def open_edit(app: Running, name: str = "Maya", *, user: str = RECRUITER) -> dict[str, Any]:
    """The Edit button on the candidate's card; returns the form it opened."""
    assert await click(app, await card_of(app, name, user), "Edit", user=user, ephemeral=True) == []
    return last_view(app)


async def changes_of(app: Running, candidate: Candidate) -> list[Change]:
    async with app.deps.db.reader() as session:
        found = await session.exec(
            select(Change).where(Change.candidate_id == candidate.id).order_by(col(Change.id))
        )
        # The edits: not the line each interview booked writes.
        return [c for c in found.all() if c.kind != "interview_booked"]


def role_options(view: dict[str, Any]) -> list[str]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == "role"]
    return [o["text"]["text"] for o in block["element"]["options"]]


def picked(role_id: int | None, title: str) -> dict[str, Any]:
    """A role option as Slack sends it back, listed on the form or not (a forged one)."""
    return {"value": str(role_id), "text": {"type": "plain_text", "text": title}}


@pytest.mark.both_databases
async def test_name_email_and_links_are_edited_and_recorded(app: Running, clock) -> None:
    role = await create_role(app)
    maya = await add_candidate(app, "Maya Chen", role=role, email="maya@old.example")

    form = await open_edit(app)

    assert form["title"]["text"] == "Edit candidate"
    assert role_options(form) == ["MLOps Engineer"]
    saved = await app.slack.submit_view(
        form,
        {"name": "Maya  Chen-Li", "email": "Maya@New.Example", "links": "https://cv.example"},
        user=RECRUITER,
    )
    assert saved.status_code == 200 and not saved.content, saved.text
    await app.settle()

    now = await candidate_named(app, "Maya Chen-Li")
    assert (now.id, now.email, now.links) == (maya.id, "Maya@new.example", "https://cv.example")
    [change] = await changes_of(app, maya)
    assert (change.kind, change.actor_id, change.at, change.role_id) == (
        "candidate_edited",
        RECRUITER,
        clock.now(),
        role.id,
    )
    assert change.summary == (
        "name: Maya Chen → Maya Chen-Li; email: maya@old.example → Maya@new.example; links changed"
    )
    confirmation = blocks_text(messages_to(app, RECRUITER)[-1]["blocks"])
    assert "Saved Maya Chen-Li" in confirmation
    # /hire edit finds them under the new name and opens the same form.
    await app.slack.command("edit Maya Chen-Li", user=HM)
    assert last_view(app)["callback_id"] == "candidate_edit"


async def test_bad_email_and_a_name_clash_are_refused_on_the_field(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await add_candidate(app, "Bob Stone", role=role)
    form = await open_edit(app)

    bad = await app.slack.submit_view(form, {"email": "not-an-email"}, user=RECRUITER)
    clash = await app.slack.submit_view(form, {"name": "bob  STONE"}, user=RECRUITER)

    assert set(bad.json()["errors"]) == {"email"}
    assert clash.json()["errors"]["name"].startswith(
        "Bob Stone is already an open candidate for MLOps Engineer (stage: sourced)."
    )
    maya = await candidate_named(app, "Maya Chen")
    assert maya.email is None and await changes_of(app, maya) == []


@pytest.mark.both_databases
async def test_an_email_another_open_candidate_applies_with_is_refused(app: Running) -> None:
    """Bob applies for the role with bob@example.com: Maya's edit may not take it, in any
    case, as the add form would refuse a second application. Once Bob is rejected it may."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    await add_candidate(app, "Bob Stone", role=role, email="bob@example.com")
    form = await open_edit(app)

    taken = await app.slack.submit_view(form, {"email": "BOB@example.com"}, user=RECRUITER)

    assert taken.json()["errors"]["email"] == (
        "Bob Stone already applies for MLOps Engineer with this email (stage: sourced). "
        "Use /hire status Bob Stone to see them."
    )
    maya = await candidate_named(app, "Maya Chen")
    assert maya.email is None and await changes_of(app, maya) == []
    # His name too: both fields say so at once, not one a try.
    both = await app.slack.submit_view(
        form, {"name": "bob stone", "email": "bob@example.com"}, user=RECRUITER
    )
    assert set(both.json()["errors"]) == {"name", "email"}
    await app.slack.command("move Bob Stone to rejected: not a fit", user=RECRUITER)
    saved = await app.slack.submit_view(
        await open_edit(app), {"email": "bob@example.com"}, user=RECRUITER
    )
    assert not saved.content, saved.text
    assert (await candidate_named(app, "Maya Chen")).email == "bob@example.com"


async def test_only_the_hiring_team_may_edit(app: Running) -> None:
    role = await create_role(app)
    maya = await add_candidate(app, "Maya Chen", role=role)
    await schedule(app, "Maya", interviewers=(INTERVIEWER,))
    assert "Edit" not in buttons((await card_of(app, "Maya", INTERVIEWER))["blocks"])

    [interviewer] = await press(app, "candidate_edit_open", str(maya.id), user=INTERVIEWER)
    [outsider] = await press(app, "candidate_edit_open", str(maya.id), user=OUTSIDER)
    forged = await app.slack.submit_view(await open_edit(app), {"name": "Eve"}, user=OUTSIDER)

    assert "Only the role's recruiters and hiring manager can edit" in interviewer.args["text"]
    assert outsider.args["text"] == "I can't find that candidate among the roles you hire for."
    assert "can't find that candidate" in forged.json()["errors"]["name"]
    assert (await candidate_named(app, "Maya Chen")).id == maya.id


@pytest.mark.both_databases
async def test_a_stale_form_gets_a_field_error_and_changes_nothing(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    mine = await open_edit(app)
    await app.slack.command("edit Maya", user=HM)
    await app.slack.submit_view(last_view(app), {"email": "maya@example.com"}, user=HM)

    stale = await app.slack.submit_view(mine, {"name": "Maya Lee"}, user=RECRUITER)

    assert (
        "Someone changed this candidate while the form was open" in (stale.json()["errors"]["name"])
    )
    maya = await candidate_named(app, "Maya Chen")
    assert maya.email == "maya@example.com"
    assert [c.actor_id for c in await changes_of(app, maya)] == [HM]

    # Closed since the form opened: refused too, and the button says why.
    fresh = await open_edit(app)
    await app.slack.command("move Maya to rejected: not a fit", user=RECRUITER)
    closed = await app.slack.submit_view(fresh, {"name": "Maya Lee"}, user=RECRUITER)
    assert (
        closed.json()["errors"]["name"] == "Maya Chen is rejected, which is final; nothing changed."
    )
    [reply] = await press(app, "candidate_edit_open", str(maya.id), user=RECRUITER)
    assert reply.args["text"] == "Maya Chen is rejected, which is final; nothing changed."
    assert (await candidate_named(app, "Maya Chen")).name == "Maya Chen"


# Moving to another role -----------------------------------------------------------------------


async def two_roles(app: Running) -> tuple[Any, Any]:
    """MLOps (recruiter RECRUITER, a 7-day loop) and Data (recruiter RECRUITER_2, a 3-day
    loop); HM manages both."""
    mlops = await create_role(app)
    data = await create_role(app, title="Data Engineer", recruiters=(RECRUITER_2,), loop_days="3")
    return mlops, data


def homes_drawn(app: Running) -> Counter[str]:
    """How many times each person's Home tab was published so far."""
    return Counter(c.args["user_id"] for c in app.standin.calls_to("views.publish"))


@pytest.mark.both_databases
async def test_a_move_by_someone_on_both_teams_keeps_the_scorecards(app: Running, clock) -> None:
    mlops, data = await two_roles(app)
    maya = await add_candidate(app, "Maya Chen", role=mlops)
    interview = await schedule(app, "Maya")
    clock.set(interview.ends_at)
    await submit_scorecard(app, interview)

    form = await open_edit(app, user=HM)
    assert role_options(form) == ["MLOps Engineer", "Data Engineer"]
    await opens(app, HM, "home")  # the form was opened from the Home tab
    await opens(app, RECRUITER, "home")  # and a teammate has Home open
    await app.settle()
    homes_before = homes_drawn(app)
    moved = await app.slack.submit_view(form, {"role": str(data.id)}, user=HM)
    assert moved.status_code == 200 and not moved.content, moved.text
    await app.settle()

    now = await candidate_named(app, "Maya Chen")
    assert (now.id, now.role_id, now.stage) == (maya.id, data.id, "interviewing")
    assert now.next_alert_at == clock.now()  # the clocks re-plan under the new role's settings
    [change] = await changes_of(app, maya)
    assert (change.kind, change.summary, change.role_id) == (
        "candidate_moved",
        "role: MLOps Engineer → Data Engineer",
        data.id,
    )
    [kept] = await stored(app, Interview)
    assert (kept.candidate_id, kept.template) == (maya.id, "mlops")  # read as written
    confirmation = blocks_text(messages_to(app, HM)[-1]["blocks"])
    assert "moved from MLOps Engineer to Data Engineer" in confirmation
    # The new role's team sees them, with the scorecard; the old role's recruiter does not.
    theirs = blocks_text((await card_of(app, "Maya", RECRUITER_2))["blocks"])
    assert "*Role*\nData Engineer" in theirs
    assert "*Loop day 2 of 3*" in theirs  # the new role's clocks
    assert f"<@{INTERVIEWER}>: scorecard in, recommends *Yes*" in theirs
    gone = answer(await app.slack.command("status Maya", user=RECRUITER))
    assert gone["text"].startswith("I couldn't find a candidate called “Maya”")
    # Only the mover's Home tab is redrawn; the others show the move when opened.
    assert set(homes_drawn(app) - homes_before) == {HM}
    assert "Maya Chen" not in blocks_text((await home_of(app, RECRUITER))["blocks"])
    assert "Maya Chen" in blocks_text((await home_of(app, RECRUITER_2))["blocks"])


async def test_a_rename_or_move_redraws_the_kits_of_scorecards_still_owed(app: Running) -> None:
    """The kit names the candidate and the role: an interviewer whose scorecard is still
    owed finds the new ones there, in place; one whose scorecard is in keeps theirs."""
    mlops, data = await two_roles(app)
    await add_candidate(app, "Maya Chen", role=mlops)
    await schedule(app, "Maya", interviewers=(INTERVIEWER,))
    kit = kit_for(app, INTERVIEWER)
    due = kit_due(kit)
    # Data Engineer's scorecard window differs: the booked seat keeps the due time it had.
    async with app.deps.db.transaction() as session:
        await session.exec(update(Role).where(col(Role.id) == data.id).values(feedback_hours=72))
    before = len(app.standin.calls)

    form = await open_edit(app, user=HM)
    saved = await app.slack.submit_view(form, {"name": "Maya Lin", "role": str(data.id)}, user=HM)
    assert not saved.content, saved.text
    await app.settle()

    [edited] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.update" and c.args["channel"] == f"D{INTERVIEWER}"
    ]
    shown = blocks_text(edited["blocks"])
    assert "Maya Lin" in shown and "Data Engineer" in shown, shown
    assert "Maya Chen" not in shown
    assert "Submit scorecard" in buttons(edited["blocks"])
    assert edited["ts"] == kit_ts(app, kit)
    assert kit_due(edited) == due, (kit_due(edited), due)
    # An email changed alone redraws nothing.
    before = len(app.standin.calls)
    form = await open_edit(app, "Maya Lin", user=HM)
    await app.slack.submit_view(form, {"email": "maya@new.example"}, user=HM)
    await app.settle()
    assert not [c for c in app.standin.calls[before:] if c.method == "chat.update"]


def kit_due(kit: dict[str, Any]) -> str:
    shown = blocks_text(kit["blocks"])
    return shown.split("Scorecard due*\n", 1)[1].split("\n", 1)[0]


def kit_ts(app: Running, kit: dict[str, Any]) -> str:
    [call] = [c for c in app.standin.calls_to("chat.postMessage") if c.args is kit]
    assert call.response is not None
    return str(call.response["ts"])


async def test_a_move_needs_both_teams_and_an_open_role(app: Running) -> None:
    mlops, data = await two_roles(app)
    maya = await add_candidate(app, "Maya Chen", role=mlops)

    form = await open_edit(app)  # RECRUITER is on the MLOps team only
    assert role_options(form) == ["MLOps Engineer"]
    forged = await app.slack.submit_view(
        form, {"role": picked(data.id, "Data Engineer")}, user=RECRUITER
    )
    assert forged.json()["errors"] == {
        "role": "You can move a candidate only to a role where you are a recruiter or the "
        "hiring manager too."
    }

    hm_form = await open_edit(app, user=HM)
    await app.slack.command("role close Data Engineer", user=HM)
    closed = await app.slack.submit_view(hm_form, {"role": str(data.id)}, user=HM)
    assert closed.json()["errors"] == {
        "role": "Data Engineer is closed and takes no new candidates. Pick an open role."
    }
    assert (await candidate_named(app, "Maya Chen")).role_id == mlops.id
    assert await changes_of(app, maya) == []


async def test_a_name_taken_in_the_target_role_is_refused(app: Running) -> None:
    mlops, data = await two_roles(app)
    ours = await add_candidate(app, "Maya Chen", role=mlops)
    await add_candidate(app, "Maya Chen", role=data, user=RECRUITER_2)

    assert await press(app, "candidate_edit_open", str(ours.id), user=HM) == []
    clash = await app.slack.submit_view(last_view(app), {"role": str(data.id)}, user=HM)

    assert clash.json()["errors"]["name"].startswith(
        "Maya Chen is already an open candidate for Data Engineer"
    )
    assert {c.role_id for c in await stored(app, Candidate)} == {mlops.id, data.id}


async def save(app: Running, name: str, values: dict[str, Any]) -> Any:
    """The card's Edit form for `name`, submitted with `values` over what it showed."""
    form = await open_edit(app, name)
    response = await app.slack.submit_view(form, values, user=RECRUITER)
    await app.settle()
    return response


async def test_links_must_be_web_addresses_and_are_kept_once_each(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Dev Sharma", role=role, links="github.com/dev")
    for bad, shown in (
        ("javascript:alert(1)", "“javascript:alert(1)” is not a web address"),
        ("not a url", "“not a url” is not a web address"),
        ("github.com/dev not-a-url", "“not-a-url” is not a web address"),
    ):
        refused = await save(app, "Dev Sharma", {"links": bad})
        assert refused.json()["errors"]["links"].startswith(shown), refused.text
    assert (await candidate_named(app, "Dev Sharma")).links == "github.com/dev"

    saved = await save(
        app,
        "Dev Sharma",
        {"links": "https://linkedin.com/in/dev, github.com/dev\nhttps://linkedin.com/in/dev"},
    )
    assert not saved.content, saved.text
    assert (await candidate_named(app, "Dev Sharma")).links == (
        "https://linkedin.com/in/dev\ngithub.com/dev"
    )
    # On the card each is a link a click opens, one pasted without https:// too.
    shown = blocks_text((await card_of(app, "Dev"))["blocks"])
    assert "<https://linkedin.com/in/dev|https://linkedin.com/in/dev>" in shown, shown
    assert "<https://github.com/dev|github.com/dev>" in shown


async def test_the_card_after_a_move_has_the_history_status_has(app: Running) -> None:
    """The card a move answers with shows the whole history, the edit included, as
    `/hire status` right after shows it; not the stage moves alone."""
    role = await create_role(app)
    await add_candidate(app, "Maya Chen", role=role)
    assert not (await save(app, "Maya", {"name": "Maya Lin"})).content

    moved = answer(
        await app.slack.command("move Maya Lin to withdrawn: took a job", user=RECRUITER)
    )

    history = blocks_text(moved["blocks"]).split("History", 1)[1]
    assert "name: Maya Chen → Maya Lin" in history, history
    status = blocks_text((await card_of(app, "Maya Lin"))["blocks"]).split("History", 1)[1]
    assert history == status
