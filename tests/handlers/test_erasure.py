"""Erasure and subject access through signed Slack requests: `/hire erase` (a
confirmation modal, admins only, once), what is left in the database afterwards (every
row of every table), and `/hire export-person`'s JSON."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from bot.store.tables import Alert, Candidate, Change, Takehome
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    all_candidates,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    create_role,
    good_scorecard,
    home_of,
    last_view,
    open_scorecard,
    opens,
    press,
    schedule,
    stored,
)
from tests.handlers.test_candidate_deadline import set_deadline
from tests.handlers.test_candidate_edits import open_edit
from tests.handlers.test_takehome import GRADER, card, click, dms_to, grade_values, open_grade
from tests.scheduling.test_sweep import messages_to

# Erasure deletes across every table and keeps the counts: what it removes, keeps
# and refuses to bring back runs on both databases, who may and wording on SQLite.

NAME = "Jane Quartermaine"
NEW_NAME = "Jane Quartermaine-Oakes"
EMAIL = "jane.quartermaine@example.org"
LINK = "https://github.com/jquartermaine"
DEADLINE_REASON = "quartermaine notice period ends"
REASON = "quartermaine took a competing offer"
SUMMARY = "Quartermaine walked through a drift incident end to end."
EVIDENCE = "quartermaine-evidence: rolled back in four minutes"
TAKEHOME_NOTE = "quartermaine asked for the weekend"
TAKEHOME_URL = "https://github.com/jquartermaine/churn"
GRADE_EVIDENCE = "quartermaine-grade: the API validates input"
TERMS = "quartermaine-terms: L5, 180k"
SECRETS = (
    NAME,
    NEW_NAME,
    EMAIL,
    LINK,
    DEADLINE_REASON,
    REASON,
    SUMMARY,
    EVIDENCE,
    TAKEHOME_NOTE,
    TAKEHOME_URL,
    GRADE_EVIDENCE,
    TERMS,
)


async def everything(app: Running) -> str:
    """Every row of every table, Slack's receipts too, as one text to search."""
    rows: list[str] = []
    async with app.deps.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            result = await connection.execute(table.select())
            rows += [f"{table.name}: {tuple(row)!r}" for row in result]
    return "\n".join(rows)


async def a_full_history(app: Running, clock: Any) -> Candidate:
    """Jane with something typed about her in every table that can hold it, closed."""
    app.standin.set_user(GRADER, real_name="Gita Rao")
    role = await create_role(app)
    await add_candidate(app, NAME, role=role, email=EMAIL, links=LINK)
    deadline = {"deadline": clock.now() + timedelta(days=20), "reason": DEADLINE_REASON}
    assert (await set_deadline(app, deadline, name="Jane")).status_code == 200
    form = await open_edit(app, "Jane")
    edited = await app.slack.submit_view(
        form, {"name": NEW_NAME, "email": EMAIL, "links": LINK}, user=RECRUITER
    )
    assert edited.status_code == 200 and not edited.content, edited.text
    await app.settle()
    interview = await schedule(app, "Jane", starts=clock.now() + timedelta(days=1))

    # A take-home with a note, a submission link and a grade with evidence.
    await click(app, await card(app), "Send take-home", user=RECRUITER)
    sent = await app.slack.submit_view(
        last_view(app), {"graders": [GRADER], "note": TAKEHOME_NOTE}, user=RECRUITER
    )
    assert sent.status_code == 200 and not sent.content, sent.text
    await app.settle()
    await click(app, await card(app), "Received", user=RECRUITER)
    await app.slack.submit_view(last_view(app), {"url": TAKEHOME_URL}, user=RECRUITER)
    await app.settle()
    await open_grade(app, GRADER)
    view = last_view(app)
    graded = await app.slack.submit_view(view, grade_values(view, "3", GRADE_EVIDENCE), user=GRADER)
    assert graded.status_code == 200 and not graded.content, graded.text

    # A scorecard with a summary and evidence.
    clock.advance(timedelta(days=2))
    await open_scorecard(app, interview, INTERVIEWER)
    view = last_view(app)
    values = good_scorecard(view)
    values["summary"] = SUMMARY
    evidence = next(
        b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("evidence_")
    )
    values[evidence] = EVIDENCE
    scored = await app.slack.submit_view(view, values, user=INTERVIEWER)
    assert scored.status_code == 200 and not scored.content, scored.text
    await app.settle()

    await app.slack.command(f"offer {NEW_NAME}", user=RECRUITER)
    offered = await app.slack.submit_view(
        last_view(app),
        {"terms": TERMS, "expires": clock.now() + timedelta(hours=48)},
        user=RECRUITER,
    )
    assert offered.status_code == 200 and not offered.content, offered.text
    await app.settle()
    # She declines, in her own words: kept on the offer and in her history.
    status = answer(await app.slack.command(f"status {NEW_NAME}", user=RECRUITER))
    await click(app, status, "Declined", user=RECRUITER)
    declined = await app.slack.submit_view(
        last_view(app), {"reason": "other_offer", "details": REASON}, user=RECRUITER
    )
    assert declined.status_code == 200 and not declined.content, declined.text
    await app.settle()
    jane = await candidate_named(app, NEW_NAME)
    # An alert still waiting to go (e.g. held for someone's working hours).
    async with app.deps.db.transaction() as session:
        session.add(
            Alert(
                key=f"test-pending-{jane.id}",
                candidate_id=jane.id or 0,
                kind="idle",
                recipient_id=RECRUITER,
                deadline=clock.now(),
                due_at=clock.now(),
                deliver_after=clock.now() + timedelta(hours=12),
                created_at=clock.now(),
            )
        )
        # A role's own change that happens to quote her (a note typed on the role).
        session.add(
            Change(
                at=clock.now(),
                actor_id=HM,
                role_id=role.id,
                kind="role_edited",
                summary=f"channel: moved after {NAME.upper()}'s interview",
                reason="",
            )
        )
    # What the test means by "everywhere" is there before the erasure.
    before = await everything(app)
    missing = [s for s in SECRETS if s not in before]
    assert missing == [], missing
    return jane


async def open_erase(app: Running, query: str = "Jane", *, user: str = ADMIN) -> Any:
    return await app.slack.command(f"erase {query}", user=user)


@pytest.mark.both_databases
async def test_erase_removes_every_trace_and_keeps_the_numbers(
    app: Running, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    jane = await a_full_history(app, clock)
    changes_before = len(await stored(app, Change))
    caplog.set_level(logging.INFO)

    opened = await open_erase(app)
    assert opened.status_code == 200 and not opened.content, opened.text
    modal = last_view(app)
    assert modal["callback_id"] == "erase_submit"
    shown = blocks_text(modal["blocks"])
    assert NEW_NAME in shown and EMAIL in shown
    assert "Scorecard texts: 1 summary, 2 evidence texts" in shown
    assert "Offer terms: 1 offer" in shown
    # Counted as what they are: reasons of moves, not "notes" (the team's are changes).
    assert re.search(r"Reasons and notes of stage moves: \d+ moves?\b", shown), shown
    assert "Notes and reasons" not in shown
    assert f"Erased candidate #{jane.id}" in shown and "Alerts still to go: 1" in shown

    for typed in ("yes", "erase"):  # exactly as asked, capitals too
        wrong = await app.slack.submit_view(modal, {"confirm": typed}, user=ADMIN)
        assert wrong.json()["response_action"] == "errors"
        assert "Type ERASE (in capitals)" in wrong.json()["errors"]["confirm"]
    assert (await candidate_named(app, NEW_NAME)).erased_at is None  # nothing changed

    clock.advance(timedelta(minutes=5))
    # Slack keeps every published Home tab, looked at or not: the interviewer's, last
    # left for Messages, is redrawn too, and the grader's, never opened.
    await opens(app, INTERVIEWER, "messages")
    published = len(app.standin.calls)
    done = await app.slack.submit_view(modal, {"confirm": " ERASE "}, user=ADMIN)
    assert done.status_code == 200 and not done.content, done.text
    await app.settle()
    redrawn = {
        c.args["user_id"] for c in app.standin.calls[published:] if c.method == "views.publish"
    }
    assert redrawn == {HM, RECRUITER, INTERVIEWER, GRADER}
    # The interviewer's kit DM named her: it now says she was erased, and nothing more.
    [kit] = [c.args for c in app.standin.calls[published:] if c.method == "chat.update"]
    assert kit["channel"] == f"D{INTERVIEWER}"
    assert kit["text"] == (
        f"Interview kit of Erased candidate #{jane.id}: the candidate's personal data was erased."
    )

    dump = await everything(app)
    left = [s for s in SECRETS if s.lower() in dump.lower()]
    assert left == [], left
    async with app.deps.db.reader() as session:
        erased = await session.get(Candidate, jane.id)
        alerts = (await session.exec(select(Alert))).all()
        [record] = (
            await session.exec(select(Change).where(Change.kind == "candidate_erased"))
        ).all()
    assert erased is not None
    assert (erased.name, erased.email, erased.links) == (f"Erased candidate #{jane.id}", None, None)
    assert (erased.erased_at, erased.erased_by, erased.stage) == (clock.now(), ADMIN, "withdrawn")
    assert [a.status for a in alerts if a.key.startswith("test-pending")] == ["cancelled"]
    assert (record.actor_id, record.at, record.candidate_id) == (ADMIN, clock.now(), jane.id)
    assert record.summary == f"erased the personal data of candidate #{jane.id}"
    assert len(await stored(app, Change)) == changes_before + 1
    # The numbers stay: the takehome, its grade's rating, the stage history's dates.
    [takehome] = await stored(app, Takehome)
    assert (takehome.status, takehome.submission_url, takehome.note) == ("received", None, "")
    # No log line of the erasure names her.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"candidate #{jane.id} erased by {ADMIN}" in logged
    assert not [s for s in SECRETS if s in logged]

    # The admin is told; the team sees the anonymous record, Home tabs included.
    assert "Erased candidate" in messages_to(app, ADMIN)[-1]["text"]
    status = answer(await app.slack.command(f"status Erased candidate #{jane.id}", user=RECRUITER))
    assert f"Erased candidate #{jane.id}" in blocks_text(status["blocks"])
    home = json.dumps(await home_of(app, RECRUITER))
    assert "Quartermaine" not in home


@pytest.mark.both_databases
async def test_a_second_submit_and_a_second_command_erase_nothing_more(
    app: Running, clock: Any
) -> None:
    role = await create_role(app)
    await add_candidate(app, NAME, role=role, email=EMAIL)
    await app.slack.command(f"move Jane to rejected: {REASON}", user=RECRUITER)
    await open_erase(app)
    modal = last_view(app)
    first = await app.slack.submit_view(modal, {"confirm": "ERASE"}, user=ADMIN)
    assert first.status_code == 200 and not first.content, first.text
    await app.settle()

    again = await app.slack.submit_view(modal, {"confirm": "ERASE"}, user=ADMIN)

    assert "erased already" in again.json()["errors"]["confirm"]
    records = [c for c in await stored(app, Change) if c.kind == "candidate_erased"]
    assert len(records) == 1
    [jane] = [c for c in await stored(app, Candidate)]
    reply = answer(await open_erase(app, f"#{jane.id}"))
    assert "erased already" in reply["text"]


async def test_only_admins_erase_and_open_candidates_are_closed_first(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, NAME, role=role)
    opened = len(app.standin.calls_to("views.open"))

    for person in (RECRUITER, HM, OUTSIDER):
        reply = answer(await open_erase(app, user=person))
        assert "for Loopkeeper admins" in reply["text"]
    still_open = answer(await open_erase(app))
    assert "still open (sourced)" in still_open["text"]
    assert "to withdrawn" in still_open["text"]
    assert len(app.standin.calls_to("views.open")) == opened  # no form for anyone

    # A forged submission by a non-admin changes nothing either.
    await app.slack.command(f"move Jane to rejected: {REASON}", user=RECRUITER)
    await open_erase(app)
    refused = await app.slack.submit_view(last_view(app), {"confirm": "ERASE"}, user=RECRUITER)
    assert "for Loopkeeper admins" in refused.json()["errors"]["confirm"]
    assert (await candidate_named(app, NAME)).erased_at is None


async def test_the_confirmation_names_other_records_of_the_same_person(app: Running) -> None:
    """Someone who asks to be forgotten may be on file twice (another role, the same
    email): the admin sees the others, each to erase on its own."""
    role = await create_role(app)
    other = await create_role(app, title="Data Engineer")
    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")
    await app.slack.command(f"move Jane Doe to rejected: {REASON}", user=RECRUITER)
    await add_candidate(app, "J. Doe", role=other, email="JANE@example.com")
    [first, second] = sorted((await all_candidates(app)), key=lambda c: c.id or 0)

    await open_erase(app, "Jane Doe")

    shown = blocks_text(last_view(app)["blocks"])
    assert "*Not erased by this*, and maybe the same person" in shown, shown
    assert f"• #{second.id} *J. Doe*, Data Engineer (sourced): `/hire erase #{second.id}`" in shown
    assert f"#{first.id} *Jane Doe*" not in shown  # not the one being erased
    # A subject access export says the same of what it leaves out.
    told = answer(await app.slack.command("export-person Jane Doe", user=ADMIN))["text"]
    maybe = "Not in it, and maybe the same person (same email, or same name in the role)"
    assert f"{maybe}: #{second.id} J. Doe, Data Engineer (sourced)." in told, told


async def test_names_that_match_several_or_none(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Roe", role=role)
    for name in ("Jane Doe", "Jane Roe"):
        await app.slack.command(f"move {name} to rejected: {REASON}", user=RECRUITER)

    several = answer(await open_erase(app))
    assert "Several candidates match" in several["text"]
    choose = buttons(several["blocks"])["Choose"]
    assert choose["action_id"].startswith("open_erase_")
    assert await press(app, choose["action_id"], choose["value"], user=ADMIN) == []
    # The form of the one chosen (the button carries their id).
    assert f"Erased candidate #{choose['value']}*" in blocks_text(last_view(app)["blocks"])
    # The same button pressed by someone else gets the admins-only answer, no form.
    opened = len(app.standin.calls_to("views.open"))
    [refused] = await press(app, choose["action_id"], choose["value"], user=RECRUITER)
    assert "for Loopkeeper admins" in refused.args["text"]
    assert len(app.standin.calls_to("views.open")) == opened
    nobody = answer(await open_erase(app, "Zed Nobody"))
    # In any role (an admin answers for all), with the number as the other way to say.
    assert nobody["text"] == (
        "No candidate in any role is called “Zed Nobody”. Check the spelling, or give "
        "their record's number (`/hire erase` shows it beside each name it finds; on the "
        "server, `loopkeeper export --format json` has it as `id`): `/hire erase #123`."
    )
    empty = answer(await open_erase(app, ""))
    assert "Example: `/hire erase Jane Doe`" in empty["text"]


@pytest.mark.both_databases
async def test_export_person_sends_everything_as_json_to_admins_only(
    app: Running, clock: Any
) -> None:
    jane = await a_full_history(app, clock)

    refused = answer(await app.slack.command("export-person Jane", user=RECRUITER))
    assert "for Loopkeeper admins" in refused["text"]
    await app.settle()
    assert app.standin.calls_to("files.completeUploadExternal") == []

    reply = answer(await app.slack.command("export-person Jane", user=ADMIN))
    await app.settle()

    assert reply["text"] == f"Sending you everything held about {NEW_NAME} in our DM, as JSON."
    [upload] = app.standin.calls_to("files.completeUploadExternal")
    assert upload.args["channel_id"] == f"D{ADMIN}"  # the admin's DM, nowhere else
    [file] = [f for f in app.standin.files.values() if f["filename"].endswith(".json")]
    assert file["filename"] == f"loopkeeper-candidate-{jane.id}-{clock.now():%Y-%m-%d}.json"
    data = json.loads(file["bytes"].decode())
    assert data["candidate"]["id"] == jane.id
    assert (data["candidate"]["name"], data["candidate"]["email"]) == (NEW_NAME, EMAIL)
    assert [e["to_stage"] for e in data["stage_history"]][-1] == "withdrawn"
    assert data["stage_history"][-1]["note"] == f"Took another offer: {REASON}"
    [interview] = data["interviews"]
    assert [s["interviewer_id"] for s in interview["seats"]] == [INTERVIEWER]
    [scorecard] = data["scorecards"]
    assert scorecard["summary"] == SUMMARY
    assert EVIDENCE in [r["evidence"] for r in scorecard["ratings"]]
    [takehome] = data["takehomes"]
    assert takehome["graders"] == [GRADER]
    assert (takehome["note"], takehome["submission_url"]) == (TAKEHOME_NOTE, TAKEHOME_URL)
    assert GRADE_EVIDENCE in [r["evidence"] for r in takehome["grades"][0]["ratings"]]
    assert [(o["terms"], o["decline_reason"], o["decline_details"]) for o in data["offers"]] == [
        (TERMS, "other_offer", REASON)
    ]
    assert any(NAME in c["summary"] for c in data["changes"])  # the rename
    assert [a["status"] for a in data["alerts"]] == ["pending"]
    assert dms_to(app, RECRUITER, "Everything Loopkeeper holds") == []


async def test_a_closed_candidate_is_found_among_many_open_namesakes(app: Running) -> None:
    """Only a closed candidate can be erased: among six open Noahs, the rejected one is
    listed first, and the list says more matched."""
    role = await create_role(app)
    for last in ("Ames", "Bell", "Cole", "Dunn", "Egan", "Ford"):
        await add_candidate(app, f"Noah {last}", role=role)
    await add_candidate(app, "Noah Fischer", role=role)
    await app.slack.command("move Noah Fischer to rejected: asked to be forgotten", user=RECRUITER)
    listed = answer(await open_erase(app, "noah"))
    shown = blocks_text(listed["blocks"])
    listed_names = [line for line in shown.splitlines() if line.startswith("*Noah ")]
    assert listed_names[0].startswith("*Noah Fischer*"), listed_names
    assert "More names match" in shown


@pytest.mark.both_databases
async def test_an_old_file_does_not_bring_back_someone_erased_at_their_request(
    app: Running,
) -> None:
    """Exported before, erased since: the saved file shared again leaves them out, by
    email even under another name, by name in the role when the row has no email, and
    says why; the rest of the file imports."""
    from tests.handlers.test_imports_slack import click as click_import
    from tests.handlers.test_imports_slack import dm_answers, share

    role = await create_role(app)
    await add_candidate(app, NAME, role=role, email=EMAIL)
    await app.slack.command(f"move Jane to rejected: {REASON}", user=RECRUITER)
    await open_erase(app)
    erased = await app.slack.submit_view(last_view(app), {"confirm": "ERASE"}, user=ADMIN)
    assert not erased.content, erased.text
    await app.settle()
    [gone] = [c for c in await all_candidates(app)]
    # Their data is gone: the digest is no email, and no name.
    assert gone.email is None and EMAIL not in str(gone.erased_email_digest)

    for other in (f"Name,Email\nJ. Q.,{EMAIL}\n", f"Name\n{NAME}\n"):
        await share(app, RECRUITER, "bits.csv", other.encode())
        alone = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
        assert "*1* erased at their request" in alone and "Nothing new to import" in alone

    rows = f"Name,Email\n{NAME},{EMAIL.upper()}\nSam Lee,sam@example.com\n"
    await share(app, RECRUITER, "old-export.csv", rows.encode())
    preview = dm_answers(app, RECRUITER)[-1]
    shown = blocks_text(preview["blocks"])
    assert "*1* erased at their request" in shown, shown
    assert "*Erased at their request*, not brought back" in shown
    assert f"(erased candidate #{gone.id})" in shown
    assert "add them with `/hire add`" in shown
    result = await click_import(app, preview, "Import 1 candidate")
    assert "Imported 1 candidate" in result["text"]
    assert sorted(c.name for c in await all_candidates(app)) == sorted(
        [f"Erased candidate #{gone.id}", "Sam Lee"]
    )


async def test_an_erased_candidate_s_notes_say_erased_not_blank(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, NAME, role=role, email=EMAIL)
    await app.slack.command("note Jane: expects 90k", user=HM)
    await app.slack.command(f"move Jane to rejected: {REASON}", user=RECRUITER)
    await open_erase(app)
    assert not (
        await app.slack.submit_view(last_view(app), {"confirm": "ERASE"}, user=ADMIN)
    ).content
    await app.settle()

    listed = answer(await app.slack.command(f"notes Erased candidate #{jane.id}", user=RECRUITER))
    shown = blocks_text(listed["blocks"])
    assert f"<@{HM}>\n_(erased)_" in shown and "90k" not in shown


@pytest.mark.both_databases
async def test_no_note_brings_back_what_was_erased(app: Running) -> None:
    """A note form open while the admin erased Bo, sent afterwards, put his name and
    phone number back on the erased record (and into /hire export), where nothing erases
    it again; so did `/hire note Erased candidate #18: …`. Each is refused, saying why,
    and nothing is kept; an old note of the author's cannot be edited back either."""
    role = await create_role(app)
    jane = await add_candidate(app, NAME, role=role, email=EMAIL)
    await app.slack.command("note Jane: first call went well", user=HM)
    await app.slack.command(f"move Jane to rejected: {REASON}", user=RECRUITER)
    await app.slack.command("note Jane", user=HM)
    open_form = last_view(app)
    listed = answer(await app.slack.command("notes Jane", user=HM))
    assert await click(app, listed, "Edit…", user=HM) == []
    edit_form = last_view(app)
    await open_erase(app)
    assert not (
        await app.slack.submit_view(last_view(app), {"confirm": "ERASE"}, user=ADMIN)
    ).content
    await app.settle()
    before = await everything(app)

    sent = await app.slack.submit_view(
        open_form, {"note": f"{NAME} called back, phone +49 170 1234567"}, user=HM
    )
    errors = sent.json()["errors"]
    assert "personal data was erased, so no note" in errors["note"], errors
    typed = answer(
        await app.slack.command(f"note Erased candidate #{jane.id}: {NAME} again", user=HM)
    )
    assert "personal data was erased, so no note" in typed["text"], typed
    opened = answer(await app.slack.command(f"note Erased candidate #{jane.id}", user=HM))
    assert "personal data was erased, so no note" in opened["text"], opened
    edited = await app.slack.submit_view(edit_form, {"note": f"{NAME}, +49 170 1234567"}, user=HM)
    assert "personal data was erased, so no note" in edited.json()["errors"]["note"]
    [said] = await click(app, listed, "Edit…", user=HM)
    assert "personal data was erased, so no note" in said.args["text"]

    after = await everything(app)
    assert after == before
    assert "1234567" not in after and NAME not in after
