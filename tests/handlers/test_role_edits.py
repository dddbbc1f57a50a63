"""Editing, closing and reopening a role through signed Slack requests: the form filled
in, the clocks following the new settings from now on, who may do it, bad values on the
field, a stale form, and a closed role taking no new candidates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.store.changes import record_change
from bot.store.tables import Change, Interview, Role, RoleRecruiter
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    all_candidates,
    answer,
    blocks_text,
    buttons,
    click,
    create_role,
    home_of,
    kit_for,
    last_view,
    press,
    schedule,
    stored,
    submit_scorecard,
)
from tests.handlers.test_imports_slack import dm_answers, share
from tests.scheduling.test_sweep import digests_to, messages_to, sweep

# Saving, closing and what the clocks do after, on both databases; the rest (wording,
# who may, menus) the same on either: SQLite only.


async def role_now(app: Running, role_id: int | None) -> tuple[Role, set[str]]:
    """The role as stored, and its recruiters."""
    async with app.deps.db.reader() as session:
        role = await session.get(Role, role_id)
        found = await session.exec(select(RoleRecruiter).where(RoleRecruiter.role_id == role_id))
        recruiters = {r.user_id for r in found.all()}
    assert role is not None
    return role, recruiters


async def role_changes(app: Running) -> list[Change]:
    async with app.deps.db.reader() as session:
        found = await session.exec(
            select(Change).where(col(Change.candidate_id).is_(None)).order_by(col(Change.id))
        )
        return list(found.all())


async def edit_form(app: Running, title: str = "MLOps", *, user: str = RECRUITER) -> Any:
    """`/hire role edit <title>`: the form it opened (the response is empty when it did)."""
    opened = len(app.standin.calls_to("views.open"))
    response = await app.slack.command(f"role edit {title}", user=user)
    assert response.status_code == 200 and not response.content, response.text
    assert len(app.standin.calls_to("views.open")) == opened + 1
    return last_view(app)


def value_of(view: dict[str, Any], block_id: str) -> Any:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element = block["element"]
    for key in ("initial_value", "initial_user", "initial_users", "initial_conversation"):
        if key in element:
            return element[key]
    return element["initial_option"]["value"]


@pytest.mark.both_databases
async def test_an_edit_is_saved_recorded_and_the_clocks_follow_it(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane", starts=clock.now() + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    await submit_scorecard(app, await _interview(app))  # the decision window opens: 48 h
    done_at = clock.now()
    await sweep(app)  # planned: the next look at her clocks is 24 h from now

    form = await edit_form(app, user=HM)  # the hiring manager may edit the role
    assert form["title"]["text"] == "Edit role" and form["submit"]["text"] == "Save"
    assert "a new scorecard window applies to interviews booked from now on" in blocks_text(
        form["blocks"]
    )
    assert value_of(form, "title") == "MLOps Engineer"
    assert value_of(form, "hiring_manager") == HM
    assert value_of(form, "recruiters") == [RECRUITER]
    assert value_of(form, "channel") == HIRING_CHANNEL
    assert value_of(form, "template") == "mlops"
    assert value_of(form, "decision_hours") == "48"
    assert value_of(form, "reminder_minutes") == "30"
    saved = await app.slack.submit_view(
        form,
        {
            "title": "Senior  MLOps Engineer",
            "recruiters": [RECRUITER_2],
            "decision_hours": "12",
            "reminder_minutes": "0",
            "reason": "Riya takes over; we decide <faster>",
        },
        user=HM,
    )
    assert saved.status_code == 200 and not saved.content, saved.text
    await app.settle()

    stored_role, recruiters = await role_now(app, role.id)
    assert (stored_role.title, stored_role.decision_hours) == ("Senior MLOps Engineer", 12)
    assert recruiters == {RECRUITER_2}
    [change] = await role_changes(app)
    assert (change.kind, change.actor_id, change.role_id, change.at) == (
        "role_edited",
        HM,
        role.id,
        clock.now(),
    )
    assert change.summary == (
        "title: MLOps Engineer → Senior MLOps Engineer; "
        f"recruiters: added <@{RECRUITER_2}>, removed <@{RECRUITER}>; "
        "decision window 48 h → 12 h; interview reminder 30 min → off"
    )
    told = blocks_text(messages_to(app, HM)[-1]["blocks"])
    assert "Role updated by" in told and "decision window 48 h → 12 h" in told
    assert "<@UREC0002>" in told  # a mention, not escaped text
    in_channel = [m for m in messages_to(app, HIRING_CHANNEL) if m["text"].startswith("Role upd")]
    assert len(in_channel) == 1
    # The why, kept with the change and told with it (typed text stays text).
    assert change.reason == "Riya takes over; we decide <faster>"
    assert "> Riya takes over; we decide &lt;faster&gt;" in blocks_text(in_channel[0]["blocks"])
    history = answer(await app.slack.command("role history Senior MLOps Engineer", user=HM))
    assert "(Riya takes over; we decide &lt;faster&gt;)" in blocks_text(history["blocks"])

    # The running decision window now ends 12 h after the last scorecard, not 48 h; the
    # alert goes to the new recruiter and not to the one who left.
    before = len(app.standin.calls)
    clock.set(done_at + timedelta(hours=12, minutes=1))
    await sweep(app)
    assert any("the decision window closed" in d for d in digests_to(app, RECRUITER_2, before))
    assert any("the decision window closed" in d for d in digests_to(app, HM, before))
    assert digests_to(app, RECRUITER, before) == []


async def _interview(app: Running) -> Interview:
    [interview] = await stored(app, Interview)
    return interview


async def test_a_rename_redraws_the_kits_of_scorecards_still_owed(app: Running, clock) -> None:
    """The kit names the role: after an admin (not on the team) renames it, an
    interviewer whose scorecard is still owed finds the new title there, in place; one
    whose scorecard is in keeps theirs as it was."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    interview = await schedule(
        app, "Jane", starts=clock.now() + timedelta(hours=1), interviewers=(INTERVIEWER,)
    )
    await schedule(app, "Jane", plan="audit", interviewers=(INTERVIEWER_2,))
    clock.advance(timedelta(hours=2))
    await submit_scorecard(app, interview)
    owed_kit = kit_for(app, INTERVIEWER_2)
    before = len(app.standin.calls)

    form = await edit_form(app, user=ADMIN)
    saved = await app.slack.submit_view(form, {"title": "Senior MLOps Engineer"}, user=ADMIN)
    assert not saved.content, saved.text
    await app.settle()

    kits = [c.args for c in app.standin.calls[before:] if c.method == "chat.update"]
    assert [k["channel"] for k in kits] == [f"D{INTERVIEWER_2}"]
    assert kits[0]["text"] == owed_kit["text"].replace("MLOps Engineer", "Senior MLOps Engineer")
    assert "*Role*\nSenior MLOps Engineer" in blocks_text(kits[0]["blocks"])


@pytest.mark.both_databases
async def test_an_idle_alert_goes_to_the_new_recruiter_only(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    form = await edit_form(app, user=ADMIN)  # an admin off the team may edit too
    await app.slack.submit_view(form, {"recruiters": [RECRUITER_2]}, user=ADMIN)
    before = len(app.standin.calls)

    clock.advance(timedelta(hours=48))
    await sweep(app)

    assert "has been in sourced for 2 days" in digests_to(app, RECRUITER_2, before)[0]
    assert digests_to(app, RECRUITER, before) == []


async def test_people_put_on_or_taken_off_a_hiring_team_are_told(app: Running) -> None:
    """Created, the role tells its hiring manager and recruiters what it means for them
    (not the admin who made it); edited, whoever joins or leaves the team hears it."""
    before = len(app.standin.calls)
    await create_role(app)
    [hm_told] = messages_to(app, HM, before)
    assert hm_told["text"] == "You are now hiring manager for MLOps Engineer."
    assert f"<@{ADMIN}> made you hiring manager for *MLOps Engineer*" in blocks_text(
        hm_told["blocks"]
    )
    assert f"<#{HIRING_CHANNEL}>" in blocks_text(hm_told["blocks"])
    [recruiter_told] = messages_to(app, RECRUITER, before)
    assert recruiter_told["text"] == "You are now a recruiter for MLOps Engineer."

    before = len(app.standin.calls)
    form = await edit_form(app, user=ADMIN)
    await app.slack.submit_view(form, {"recruiters": [RECRUITER_2]}, user=ADMIN)
    await app.settle()
    [joined] = messages_to(app, RECRUITER_2, before)
    assert joined["text"] == "You are now a recruiter for MLOps Engineer."
    [left] = messages_to(app, RECRUITER, before)
    assert left["text"] == "You are no longer on the hiring team of MLOps Engineer."
    assert messages_to(app, HM, before) == []  # still on it: nothing to tell


async def test_only_admins_and_the_team_may_edit(app: Running) -> None:
    role = await create_role(app)
    refused = answer(await app.slack.command("role edit MLOps Engineer", user=OUTSIDER))
    assert "I can't find a role matching “MLOps Engineer”" in refused["text"]
    assert "Example: `/hire role edit Data Scientist`" in refused["text"]

    form = await edit_form(app)  # a recruiter's form, submitted by an outsider
    forged = await app.slack.submit_view(form, {"title": "Mine now"}, user=OUTSIDER)
    assert (
        "Only Loopkeeper admins and the role's hiring manager and recruiters"
        in (forged.json()["errors"]["title"])
    )
    [answers] = await press(app, "role_edit_open", str(role.id), user=OUTSIDER)
    assert "Only Loopkeeper admins" in answers.args["text"]
    assert (await role_now(app, role.id))[0].title == "MLOps Engineer"
    assert await role_changes(app) == []


async def test_bad_values_are_refused_on_their_field(app: Running) -> None:
    role = await create_role(app)
    await create_role(app, title="Data Engineer")
    form = await edit_form(app, "mlops engineer")

    bad = await app.slack.submit_view(
        form, {"title": "!!!", "recruiters": [], "decision_hours": "0"}, user=RECRUITER
    )
    errors = bad.json()["errors"]
    assert set(errors) == {"title", "recruiters", "decision_hours"}
    assert errors["decision_hours"] == "Enter a whole number from 1 to 720."
    clash = await app.slack.submit_view(form, {"title": "data  engineer"}, user=RECRUITER)
    assert clash.json()["errors"] == {
        "title": "Another role is called Data Engineer. Pick a title of its own."
    }
    stored_role, recruiters = await role_now(app, role.id)
    assert (stored_role.title, stored_role.decision_hours, recruiters) == (
        "MLOps Engineer",
        48,
        {RECRUITER},
    )
    assert await role_changes(app) == []


async def test_a_form_saved_as_it_was_changes_nothing(app: Running) -> None:
    role = await create_role(app)
    saved = await app.slack.submit_view(await edit_form(app), {}, user=RECRUITER)
    assert saved.status_code == 200 and not saved.content
    await app.settle()
    assert await role_changes(app) == []
    assert "Nothing to change" in messages_to(app, RECRUITER)[-1]["text"]
    assert (await role_now(app, role.id))[0].title == "MLOps Engineer"


@pytest.mark.both_databases
async def test_a_stale_edit_form_is_refused_and_changes_nothing(app: Running) -> None:
    role = await create_role(app)
    mine = await edit_form(app)
    theirs = await edit_form(app, user=HM)
    await app.slack.submit_view(theirs, {"offer_hours": "72"}, user=HM)

    stale = await app.slack.submit_view(mine, {"title": "Platform Engineer"}, user=RECRUITER)

    assert "Someone changed this role while the form was open" in stale.json()["errors"]["title"]
    stored_role, _ = await role_now(app, role.id)
    assert (stored_role.title, stored_role.offer_hours) == ("MLOps Engineer", 72)
    assert len(await role_changes(app)) == 1

    # Closed since the form opened: refused on the field; the Edit button says why.
    fresh = await edit_form(app)
    await app.slack.command("role close MLOps Engineer", user=HM)
    closed = await app.slack.submit_view(fresh, {"title": "Platform Engineer"}, user=RECRUITER)
    assert closed.json()["errors"]["title"].startswith("MLOps Engineer was closed on 16 Nov 2026")
    [click_answer] = await press(app, "role_edit_open", str(role.id), user=RECRUITER)
    assert "Reopen it first with `/hire role reopen MLOps Engineer`" in click_answer.args["text"]
    assert (await role_now(app, role.id))[0].title == "MLOps Engineer"


async def test_several_or_no_roles_matching_get_examples(app: Running) -> None:
    await create_role(app)
    await create_role(app, title="MLOps Lead")
    several = answer(await app.slack.command("role close mlops", user=RECRUITER))
    assert "matches 2 roles" in several["text"] and "MLOps Engineer" in several["text"]
    none = answer(await app.slack.command("role reopen", user=RECRUITER))
    assert none["text"] == "Which role? Example: `/hire role reopen Data Scientist`."
    # A typo gets the title it most likely meant, not an example of another.
    typo = answer(await app.slack.command("role edit MLOps Enginer", user=RECRUITER))
    assert typo["text"] == (
        "I can't find a role matching “MLOps Enginer” among the roles you can change. "
        "Did you mean `/hire role edit MLOps Engineer`? Roles are changed by admins and by "
        "their own hiring team (`/hire pipeline` lists the roles you recruit or hire for)."
    )
    unlike = answer(await app.slack.command("role edit Finance", user=RECRUITER))
    assert "Example: `/hire role edit Data Scientist`." in unlike["text"]
    # An exact title wins over the longer ones holding it.
    assert answer(await app.slack.command("role close mlops engineer", user=RECRUITER))[
        "text"
    ].startswith("Closed MLOps Engineer")


# Closing and reopening ------------------------------------------------------------------------


@pytest.mark.both_databases
async def test_closing_lists_open_candidates_and_takes_no_new_ones(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Bob <Stone>", role=role)
    await app.slack.command("move Bob to screening", user=RECRUITER)
    await app.slack.command("add", user=RECRUITER)
    add_form = last_view(app)  # opened while the role was open

    closed = answer(await app.slack.command("role close MLOps Engineer", user=RECRUITER))

    shown = blocks_text(closed["blocks"])
    assert "Closed *MLOps Engineer*. It takes no new candidates." in shown
    assert "Its 2 open candidates go on until you move them" in shown
    assert "• Jane Doe (sourced)" in shown and "• Bob &lt;Stone&gt; (screening)" in shown
    assert "Reopen role" in buttons(closed["blocks"])
    stored_role, _ = await role_now(app, role.id)
    assert (stored_role.status, stored_role.closed_by, stored_role.closed_at) == (
        "closed",
        RECRUITER,
        clock.now(),
    )
    [change] = await role_changes(app)
    assert (change.kind, change.summary) == ("role_closed", "role closed with 2 open candidates")
    # The team hears of it in the role's channel, with who closed it.
    await app.settle()
    [post] = [m for m in messages_to(app, HIRING_CHANNEL) if "was closed" in m["text"]]
    assert post["text"] == "MLOps Engineer was closed: it takes no new candidates."
    posted = blocks_text(post["blocks"])
    assert f"<@{RECRUITER}> closed *MLOps Engineer*" in posted
    assert "Its 2 open candidates go on until they are moved" in posted

    # No new candidates: a form opened before is refused on its field, and /hire add says why.
    raced = await app.slack.submit_view(
        add_form, {"name": "Sam Lee", "role": str(role.id)}, user=RECRUITER
    )
    assert raced.json()["errors"] == {
        "role": "MLOps Engineer is closed and takes no new candidates. Pick an open role."
    }
    refused = answer(await app.slack.command("add Sam Lee", user=RECRUITER))
    assert "Every role you recruit for is closed" in refused["text"]
    await share(app, RECRUITER, "more.csv", b"Name,Role\nSam Lee,MLOps Engineer\n")
    assert "Every role you can import into is closed" in dm_answers(app, RECRUITER)[-1]["text"]

    # Its pipeline and Home tab say so; its candidates go on.
    pipeline = answer(await app.slack.command("pipeline", user=RECRUITER))
    assert "*MLOps Engineer (closed)*: 2 open" in blocks_text(pipeline["blocks"])
    assert set(buttons(pipeline["blocks"])) >= {"Reopen role"}
    assert "Edit role" not in buttons(pipeline["blocks"])
    assert "*MLOps Engineer (closed)*" in blocks_text((await home_of(app, RECRUITER))["blocks"])
    moved = answer(await app.slack.command("move Jane Doe to screening", user=RECRUITER))
    assert "screening" in blocks_text(moved["blocks"])

    # Closing again, or editing it, changes nothing.
    again = answer(await app.slack.command("role close MLOps Engineer", user=HM))
    assert again["text"] == "MLOps Engineer is closed already; nothing changed."
    opened = len(app.standin.calls_to("views.open"))
    stale = answer(await app.slack.command("role edit MLOps Engineer", user=RECRUITER))
    assert stale["text"] == (
        "MLOps Engineer was closed on 16 Nov 2026; nothing changed. Reopen it first with "
        "`/hire role reopen MLOps Engineer`."
    )
    assert len(app.standin.calls_to("views.open")) == opened
    assert len(await role_changes(app)) == 1


async def test_a_closed_role_is_reopened_from_its_button(app: Running) -> None:
    role = await create_role(app)
    closed = answer(await app.slack.command("role close MLOps Engineer", user=HM))

    [reopened] = await click(app, closed, "Reopen role", user=RECRUITER, ephemeral=True)

    assert "Reopened MLOps Engineer" in reopened.args["text"]
    assert (await role_now(app, role.id))[0].status == "open"
    await app.settle()
    posts = [
        m["text"] for m in messages_to(app, HIRING_CHANNEL) if "MLOps Engineer was" in m["text"]
    ]
    assert posts == [
        "MLOps Engineer was closed: it takes no new candidates.",
        "MLOps Engineer was reopened: it takes new candidates again.",
    ]
    assert [c.kind for c in await role_changes(app)] == ["role_closed", "role_reopened"]
    again = answer(await app.slack.command("role reopen MLOps Engineer", user=RECRUITER))
    assert again["text"] == "MLOps Engineer is open already; nothing changed."
    [stale] = await click(app, closed, "Reopen role", user=RECRUITER)  # an old copy of it
    assert stale.args["text"] == "MLOps Engineer is open already; nothing changed."
    await add_candidate(app, "Sam Lee", role=role)  # it takes candidates again
    assert len(await role_changes(app)) == 2


async def test_the_pipeline_buttons_edit_and_close_the_role(app: Running) -> None:
    role = await create_role(app)
    pipeline = answer(await app.slack.command("pipeline", user=RECRUITER))
    assert await click(app, pipeline, "Edit role", user=RECRUITER, ephemeral=True) == []
    assert last_view(app)["callback_id"] == "role_edit"

    [closed] = await click(app, pipeline, "Close role", user=RECRUITER, ephemeral=True)

    assert closed.args["replace_original"] is True
    assert "Closed *MLOps Engineer*" in blocks_text(closed.args["blocks"])
    assert (await role_now(app, role.id))[0].status == "closed"
    [outsider] = await press(app, "role_reopen", str(role.id), user=OUTSIDER)
    assert "Only Loopkeeper admins" in outsider.args["text"]
    assert (await role_now(app, role.id))[0].status == "closed"
    await app.settle()  # a refused reopen tells the channel nothing
    assert [m["text"] for m in messages_to(app, HIRING_CHANNEL) if "was re" in m["text"]] == []


async def test_a_channel_slack_refuses_still_closes_the_role(app: Running) -> None:
    role = await create_role(app)
    app.standin.fail_next("chat.postMessage", "not_in_channel")

    closed = answer(await app.slack.command("role close MLOps Engineer", user=HM))
    await app.settle()

    assert closed["text"].startswith("Closed MLOps Engineer")
    assert (await role_now(app, role.id))[0].status == "closed"


@pytest.mark.both_databases
async def test_a_preview_made_before_the_close_imports_nobody(app: Running) -> None:
    await create_role(app)
    await share(app, RECRUITER, "more.csv", b"Name\nSam Lee\n")
    preview = dm_answers(app, RECRUITER)[-1]
    await app.slack.command("role close MLOps Engineer", user=HM)

    answers = await click(
        app, preview, "Import 1 candidate", user=RECRUITER, answers="import", settle=True
    )

    assert "Every role you can import into is closed" in answers[-1].args["text"]
    assert await all_candidates(app) == []


async def test_a_closed_role_s_own_people_in_a_file_are_on_file_not_problems(
    app: Running,
) -> None:
    """A file made before the role closed, shared again: its people are already in
    Loopkeeper, not rows to fix; a new person for the closed role is still refused."""
    await create_role(app)
    data = await create_role(app, title="Data Engineer")
    await add_candidate(app, "Sam Lee", role=data)
    await app.slack.command("role close Data Engineer", user=HM)
    await share(
        app, RECRUITER, "old.csv", b"Name,Role\nSam Lee,Data Engineer\nNew Person,Data Engineer\n"
    )
    shown = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
    assert "*1* already in Loopkeeper" in shown and "*1* with problems" in shown, shown
    assert "• line 2: Sam Lee (Data Engineer)" in shown
    assert "line 3, column B (Role): Data Engineer is closed" in shown


@pytest.mark.both_databases
async def test_a_row_whose_role_closed_after_the_preview_is_not_called_old(app: Running) -> None:
    """Sam's row names Data Engineer, closed after the preview while MLOps stays open:
    nothing is imported, and the answer says why, not that nobody in the file was new."""
    await create_role(app)
    await create_role(app, title="Data Engineer")
    await share(app, RECRUITER, "data.csv", b"Name,Role\nSam Lee,Data Engineer\n")
    preview = dm_answers(app, RECRUITER)[-1]
    await app.slack.command("role close Data Engineer", user=HM)

    [*_, done] = await click(
        app, preview, "Import 1 candidate", user=RECRUITER, answers="import", settle=True
    )

    shown = blocks_text(done.args["blocks"])
    assert shown.startswith("Nothing imported from data.csv: every new row in it has a problem.")
    assert "Data Engineer is closed" in shown
    assert "nobody new" not in shown and "the rest are in" not in shown
    assert await all_candidates(app) == []


async def test_a_file_with_a_heading_line_alone_says_so(app: Running) -> None:
    await create_role(app)
    await create_role(app, title="Data Engineer")  # two roles: no picker for no rows
    await share(app, RECRUITER, "empty.csv", b"Name,Email\n")

    [answer_] = dm_answers(app, RECRUITER)
    assert answer_["text"].startswith("The file has a heading line but no candidate rows")
    assert not answer_.get("blocks")


# From the Home tab ----------------------------------------------------------------------------


def role_menus(home: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Home tab's role menus by placeholder."""
    [tools] = [b for b in home["blocks"] if b.get("block_id") == "role_tools"]
    return {e["placeholder"]["text"]: e for e in tools["elements"]}


async def pick_on_home(
    app: Running, home: dict[str, Any], menu: str, title: str, *, user: str
) -> None:
    element = role_menus(home)[menu]
    [option] = [o for o in element["options"] if o["text"]["text"] == title]
    response = await app.slack.action(
        element["action_id"],
        user=user,
        view=home,
        action_type="static_select",
        selected_option=option,
    )
    assert response.status_code == 200
    await app.settle()


async def test_the_home_tab_edits_closes_and_reopens_a_role(app: Running) -> None:
    role = await create_role(app)
    home = await home_of(app, RECRUITER)
    menus = role_menus(home)
    assert set(menus) == {"Edit a role…", "Close a role…"}
    assert menus["Close a role…"]["confirm"]["confirm"]["text"] == "Close role"

    await pick_on_home(app, home, "Edit a role…", "MLOps Engineer", user=RECRUITER)
    assert last_view(app)["callback_id"] == "role_edit"

    before = len(app.standin.calls)
    await pick_on_home(app, home, "Close a role…", "MLOps Engineer", user=RECRUITER)

    assert (await role_now(app, role.id))[0].status == "closed"
    dm = [m for m in messages_to(app, RECRUITER, before) if m["text"].startswith("Closed")]
    assert dm and "Reopen role" in buttons(dm[0]["blocks"])
    assert any("was closed" in m["text"] for m in messages_to(app, HIRING_CHANNEL, before))
    redrawn = [c.args["view"] for c in app.standin.calls[before:] if c.method == "views.publish"]
    assert redrawn and "*MLOps Engineer (closed)*" in blocks_text(redrawn[-1]["blocks"])
    assert set(role_menus(redrawn[-1])) == {"Reopen a role…"}

    await pick_on_home(app, redrawn[-1], "Reopen a role…", "MLOps Engineer", user=RECRUITER)
    assert (await role_now(app, role.id))[0].status == "open"


@pytest.mark.both_databases
async def test_a_stale_or_forged_pick_on_the_home_tab_changes_nothing(app: Running) -> None:
    role = await create_role(app)
    home = await home_of(app, RECRUITER)
    await app.slack.command("role close MLOps Engineer", user=HM)
    before = len(app.standin.calls)

    # The tab drawn before the close still offers it: the answer says so, by DM.
    await pick_on_home(app, home, "Close a role…", "MLOps Engineer", user=RECRUITER)
    [said] = messages_to(app, RECRUITER, before)
    assert said["text"] == "MLOps Engineer is closed already; nothing changed."
    # Someone off the hiring team sending the same pick is refused.
    await pick_on_home(app, home, "Edit a role…", "MLOps Engineer", user=OUTSIDER)
    assert "Only Loopkeeper admins" in messages_to(app, OUTSIDER, before)[-1]["text"]
    assert [c.kind for c in await role_changes(app)] == ["role_closed"]
    assert (await role_now(app, role.id))[0].status == "closed"


async def test_an_interviewer_only_gets_no_role_menus(app: Running) -> None:
    await create_role(app)
    home = await home_of(app, "UINT0009")
    assert [b for b in home["blocks"] if b.get("block_id") == "role_tools"] == []


# A role's history -----------------------------------------------------------------------------


async def test_a_roles_history_says_who_changed_what_latest_first(app: Running, clock) -> None:
    role = await create_role(app)
    fresh = answer(await app.slack.command("role history MLOps Engineer", user=RECRUITER))
    assert "no change since it was created" in blocks_text(fresh["blocks"])

    form = await edit_form(app, user=HM)
    await app.slack.submit_view(form, {"decision_hours": "12"}, user=HM)
    clock.advance(timedelta(hours=1))
    closed = answer(await app.slack.command("role close MLOps Engineer", user=RECRUITER))

    shown = answer(await app.slack.command("role history mlops engineer", user=RECRUITER))

    assert shown["text"] == "Changes to MLOps Engineer"
    lines = [line for line in blocks_text(shown["blocks"]).split("\n") if line.startswith("•")]
    assert len(lines) == 2
    assert f"<@{RECRUITER}>: role closed with 0 open candidates" in lines[0]
    assert f"<@{HM}>: decision window 48 h → 12 h" in lines[1]
    assert f"Created by <@{role.created_by}>" in blocks_text(shown["blocks"])
    # The same from the History button under the role, in place of the message clicked.
    [from_button] = await click(app, closed, "History", user=HM, ephemeral=True)
    assert from_button.args["text"] == "Changes to MLOps Engineer"


async def test_a_roles_history_is_for_its_team_and_admins_only(app: Running) -> None:
    role = await create_role(app)
    refused = answer(await app.slack.command("role history MLOps Engineer", user=OUTSIDER))
    assert "I can't find a role matching" in refused["text"]
    [forged] = await press(app, "role_history", str(role.id), user=OUTSIDER)
    assert "Only Loopkeeper admins" in forged.args["text"]
    admin = answer(await app.slack.command("role history MLOps Engineer", user=ADMIN))
    assert admin["text"] == "Changes to MLOps Engineer"
    which = answer(await app.slack.command("role history", user=RECRUITER))
    assert which["text"] == "Which role? Example: `/hire role history Data Scientist`."


async def test_a_long_history_fits_one_section_in_whole_lines(app: Running, clock) -> None:
    role = await create_role(app)
    async with app.deps.db.transaction() as session:
        for n in range(25):
            await record_change(
                session,
                actor_id=HM,
                kind="role_edited",
                summary=f"change {n:02}: " + "x" * 200,
                now=clock.now() + timedelta(minutes=n),
                role_id=role.id,
                reason="because " + "y" * 290,
            )

    shown = answer(await app.slack.command("role history MLOps Engineer", user=RECRUITER))

    section_text = shown["blocks"][0]["text"]["text"]
    assert len(section_text) <= 3000
    lines = section_text.split("\n")
    assert "change 24" in lines[1]  # the latest first
    assert all(line.endswith(")") for line in lines[1:-1])  # no line cut in the middle
    assert lines[-1].startswith("…and ") and "earlier changes" in lines[-1]
    assert "Older changes are kept" in blocks_text(shown["blocks"])  # only 20 were read


async def test_a_file_row_naming_a_closed_role_is_told_it_is_closed(app: Running) -> None:
    await create_role(app)
    await create_role(app, title="Data Engineer")
    await app.slack.command("role close Data Engineer", user=RECRUITER)
    await app.settle()

    await share(
        app, RECRUITER, "two.csv", b"Name,Role\nSam Lee,Data Engineer\nBo Li,MLOps Engineer\n"
    )

    shown = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
    assert "Data Engineer is closed and takes no new candidates" in shown, shown
    assert "no role called" not in shown
    assert "Bo Li → sourced" in shown  # the open role's row goes in


async def test_an_edit_to_a_public_channel_is_refused_on_the_field(app: Running) -> None:
    role = await create_role(app)
    app.standin.set_channel("C0GENERAL", "general", private=False)
    form = await edit_form(app)
    refused = await app.slack.submit_view(form, {"channel": "C0GENERAL"}, user=RECRUITER)
    assert "That channel is public" in refused.json()["errors"]["channel"]
    [kept] = await stored(app, Role)
    assert kept.channel_id == role.channel_id


@pytest.mark.both_databases
async def test_a_shorter_loop_names_the_interviews_it_leaves_too_late(app: Running, clock) -> None:
    """Loop 7 → 3 days: Jane's interview on day 6 now ends after her loop. Said in the
    edit's confirmation, not first as a loop breach with the interview still to come."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await schedule(app, "Jane", starts=clock.now() + timedelta(days=5, hours=1))
    before = len(app.standin.calls)

    form = await edit_form(app)
    saved = await app.slack.submit_view(form, {"loop_days": "3"}, user=RECRUITER)
    assert not saved.content, saved.text
    await app.settle()

    [told] = [m for m in messages_to(app, RECRUITER, before) if "Role updated" in m["text"]]
    shown = blocks_text(told["blocks"])
    assert ":warning: *With a 3-day loop, these interviews come too late:*" in shown, shown
    assert "• Jane Doe: Production incident interview ends " in shown
    # A longer loop, or one that still fits, says nothing of the kind.
    form = await edit_form(app)
    await app.slack.submit_view(form, {"loop_days": "10"}, user=RECRUITER)
    await app.settle()
    last = [m for m in messages_to(app, RECRUITER, before) if "Role updated" in m["text"]][-1]
    assert "too late" not in blocks_text(last["blocks"])
