"""Notes on a candidate, through signed Slack requests: `/hire note` in one line or by
its form, Add note… on the card, `/hire notes`, and who may read and write them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.slack.blocks import candidates as cards
from bot.store.tables import Change
from bot.usecases.notes import (
    CHANGED_MEANWHILE,
    GONE,
    MAX_NOTE_TEXT,
    NOT_YOUR_NOTE,
    SHOWN_NOTES,
    TEAM_ONLY,
    UNCHANGED,
)
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    click,
    create_role,
    last_view,
    press,
    schedule,
    stored,
)
from tests.scheduling.test_sweep import messages_to
from tests.worlds import built_once

# A note is a change record written in a transaction: writing, editing, deleting
# and paging run on both databases, wording and who may on SQLite.


async def jane(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)


async def say(app: Running, text: str, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command(text, user=user))


async def notes(app: Running) -> list[Change]:
    return [c for c in await stored(app, Change) if c.kind == "candidate_note"]


@built_once(jane)
async def test_a_note_in_one_line_goes_into_the_history(app: Running) -> None:
    said = await say(app, "note Jane Doe: Spoke on the phone; expects an offer by Friday")

    assert said["text"] == "Your note is in Jane Doe's history.", said["text"]
    shown = blocks_text(said["blocks"])
    assert ":memo: Your note is in Jane Doe's history." in shown
    assert f"note by <@{RECRUITER}>\n> Spoke on the phone; expects an offer by Friday" in shown
    [stored_note] = await notes(app)
    assert (stored_note.actor_id, stored_note.reason) == (
        RECRUITER,
        "Spoke on the phone; expects an offer by Friday",
    )
    # The hiring manager reads it on the card and whole in /hire notes.
    assert "expects an offer by Friday" in blocks_text(
        (await say(app, "status Jane Doe", HM))["blocks"]
    )
    listed = await say(app, "notes Jane Doe", HM)
    assert listed["text"] == "Notes on Jane Doe, latest first."
    assert "Spoke on the phone; expects an offer by Friday" in blocks_text(listed["blocks"])


@built_once(jane)
async def test_add_note_on_the_card_opens_the_form_and_checks_it(app: Running) -> None:
    card = await say(app, "status Jane Doe", HM)
    assert await click(app, card, "Add note…", user=HM) == []
    form = last_view(app)
    assert form["callback_id"] == "candidate_note"

    empty = await app.slack.submit_view(form, {"note": "   "}, user=HM)
    assert "Write the note" in empty.json()["errors"]["note"]
    long = await app.slack.submit_view(form, {"note": "x" * (MAX_NOTE_TEXT + 1)}, user=HM)
    assert f"to {MAX_NOTE_TEXT:,} characters at most" in long.json()["errors"]["note"]
    nul = await app.slack.submit_view(form, {"note": "a\x00b"}, user=HM)
    assert "note" in nul.json()["errors"]
    assert await notes(app) == []

    before = len(app.standin.calls)
    done = await app.slack.submit_view(
        form, {"note": "Referred by <!here> — strong on infra"}, user=HM
    )
    assert not done.content, done.text
    await app.settle()
    [confirmed] = [m for m in messages_to(app, HM, before) if "Your note" in m["text"]]
    text = blocks_text(confirmed["blocks"])
    # Typed text is escaped: markup that would ping everyone stays text.
    assert "Referred by &lt;!here&gt; — strong on infra" in text


@built_once(jane)
async def test_the_form_opens_from_the_command_without_text(app: Running) -> None:
    response = await app.slack.command("note Jane Doe", user=RECRUITER)
    assert response.status_code == 200 and not response.content, response.text
    assert last_view(app)["callback_id"] == "candidate_note"


@built_once(jane)
async def test_interviewers_neither_see_nor_write_notes(app: Running) -> None:
    await schedule(app, "Jane Doe")
    await say(app, "note Jane Doe: HM is keen; salary ask is high")

    card = await say(app, "status Jane Doe", INTERVIEWER)
    shown = blocks_text(card["blocks"])
    assert card["text"].startswith("Jane Doe") and "salary ask" not in shown
    assert "Add note" not in shown
    assert (await say(app, "notes Jane Doe", INTERVIEWER))["text"] == TEAM_ONLY
    assert (await say(app, "note Jane Doe: she seemed nervous", INTERVIEWER))["text"] == TEAM_ONLY
    # Someone who may not see Jane at all learns nothing of her; an admin off the team
    # neither (admins see candidates only on roles they are named on).
    for person in (OUTSIDER, ADMIN):
        said = await say(app, "note Jane Doe: hello", person)
        assert said["text"] == cards.not_found_message("Jane Doe", "note")
    assert len(await notes(app)) == 1


@built_once(jane)
async def test_bad_input_in_one_line_says_why_with_an_example(app: Running) -> None:
    missing = await say(app, "note")
    assert missing["text"].startswith("Whom about? Example: `/hire note")
    long = await say(app, f"note Jane Doe: {'x' * (MAX_NOTE_TEXT + 1)}")
    assert long["text"].startswith(f"Keep the note to {MAX_NOTE_TEXT:,} characters at most.")
    assert "Example: `/hire note Jane Doe: expects an offer by Friday`" in long["text"]
    # What was typed comes back to shorten: the command box is empty once sent.
    typed = " ".join(f"word{n} R&D" for n in range(900))  # 9,000 characters, & escaped
    back = await say(app, f"note Jane Doe: {typed}")
    shown = blocks_text(back["blocks"])
    assert "What you typed, to shorten and send again:" in shown
    assert "word0 R&amp;D" in shown and "word899 R&amp;D" in shown
    empty_list = await say(app, "notes Jane Doe")
    assert empty_list["text"] == "No notes on Jane Doe yet."
    assert await notes(app) == []


@built_once(jane)
async def test_a_closed_candidate_takes_notes_too(app: Running) -> None:
    await say(app, "move Jane Doe to rejected: not senior enough")
    said = await say(app, "note Jane Doe: worth a call for the staff role next year")
    assert ":memo:" in blocks_text(said["blocks"])
    assert len(await notes(app)) == 1


@pytest.mark.both_databases
@built_once(jane)
async def test_its_author_deletes_a_note_and_the_history_says_one_was(app: Running) -> None:
    await say(app, "note Jane Doe: salary ask 180k", HM)
    await say(app, "note Jane Doe: wrong candidate, sorry")
    [mine] = [n for n in await notes(app) if n.actor_id == RECRUITER]

    listed = await say(app, "notes Jane Doe")
    # Only one's own notes have Edit… and Delete, and Delete asks first.
    rows = [b["elements"] for b in listed["blocks"] if b["type"] == "actions"]
    assert [[e["action_id"] for e in row] for row in rows] == [
        [f"note_edit_{mine.id}", f"note_delete_{mine.id}"]
    ]
    assert rows[0][1]["confirm"]["confirm"]["text"] == "Delete"
    # Which note: from a list of several, "Delete your note?" did not say.
    assert rows[0][1]["confirm"]["text"]["text"].startswith("“wrong candidate, sorry”: its text")

    [after] = await click(app, listed, "Delete", user=RECRUITER)
    assert after.args["replace_original"] is True
    shown = blocks_text(after.args["blocks"])
    assert "Your note on Jane Doe is deleted." in shown
    assert "wrong candidate" not in shown and "salary ask 180k" in shown
    assert [n.reason for n in await notes(app)] == ["salary ask 180k"]
    history = blocks_text((await say(app, "status Jane Doe"))["blocks"])
    assert f"note deleted by <@{RECRUITER}>" in history and "wrong candidate" not in history

    # The same button again (a double click): the note is gone already, said so.
    [again] = await click(app, listed, "Delete", user=RECRUITER)
    assert again.args["text"] == GONE


@built_once(jane)
async def test_nobody_deletes_someone_elses_note(app: Running) -> None:
    await schedule(app, "Jane Doe")
    await say(app, "note Jane Doe: salary ask 180k", HM)
    [hers] = await notes(app)
    for person, why in ((RECRUITER, NOT_YOUR_NOTE), (INTERVIEWER, TEAM_ONLY)):
        [said] = await press(app, f"note_delete_{hers.id}", str(hers.id), user=person)
        assert said.args["text"] == why
    [said] = await press(app, f"note_delete_{hers.id}", str(hers.id), user=OUTSIDER)
    assert "salary" not in said.args["text"] and "Jane" not in said.args["text"]
    assert [n.reason for n in await notes(app)] == ["salary ask 180k"]


async def test_notes_of_one_of_several_namesakes_are_picked_from_a_list(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    await say(app, "note Jane Smith: prefers mornings")
    listing = await say(app, "notes Jane")
    assert listing["text"].startswith("Several candidates match")
    smith = {"blocks": [b for b in listing["blocks"] if "Jane Smith" in str(b)]}
    [shown] = await click(app, smith, "Choose", user=RECRUITER)
    assert "prefers mornings" in blocks_text(shown.args["blocks"])


@built_once(jane)
async def test_a_note_without_its_colon_says_how_to_write_one(app: Running) -> None:
    said = await say(app, "note Jane Doe expects an offer by Friday")
    assert said["text"].startswith("I couldn't find a candidate called “Jane Doe expects")
    assert said["text"].endswith(
        "A note in one line needs a colon after the name: "
        "`/hire note Jane Doe: expects an offer by Friday`."
    )
    assert await notes(app) == []


@pytest.mark.both_databases
@built_once(jane)
async def test_its_author_edits_a_note_which_keeps_its_place(app: Running, clock) -> None:
    await say(app, "note Jane Doe: salary ask 108k")
    clock.advance(timedelta(hours=2))
    await say(app, "note Jane Doe: prefers mornings", HM)
    [mine, _] = await notes(app)
    written = mine.at

    listed = await say(app, "notes Jane Doe")
    assert await click(app, listed, "Edit…", user=RECRUITER, answers="the-list") == []
    form = last_view(app)
    assert form["callback_id"] == "candidate_note_edit"
    assert form["submit"]["text"] == "Save"
    [field] = [b for b in form["blocks"] if b.get("block_id") == "note"]
    assert field["element"]["initial_value"] == "salary ask 108k"

    # Bad text and the same text are refused on the field, and change nothing.
    empty = await app.slack.submit_view(form, {"note": "  "}, user=RECRUITER)
    assert "Write the note" in empty.json()["errors"]["note"]
    same = await app.slack.submit_view(form, {"note": "salary ask 108k "}, user=RECRUITER)
    assert same.json()["errors"]["note"] == UNCHANGED
    assert [n.reason for n in await notes(app)] == ["salary ask 108k", "prefers mornings"]

    before = len(app.standin.calls)
    done = await app.slack.submit_view(form, {"note": "salary ask 180k"}, user=RECRUITER)
    assert not done.content, done.text
    await app.settle()
    [edited, _] = await notes(app)
    assert (edited.id, edited.reason, edited.at) == (mine.id, "salary ask 180k", written)
    [confirmed] = [m for m in messages_to(app, RECRUITER, before) if "Your note" in m["text"]]
    shown = blocks_text(confirmed["blocks"])
    assert "Your note on Jane Doe is edited." in shown
    # The list it was opened from shows the new text: it went on showing the old.
    [redrawn] = app.standin.calls_to("response_url:the-list")
    assert redrawn.args["replace_original"] is True
    relisted = blocks_text(redrawn.args["blocks"])
    assert "salary ask 180k" in relisted and "salary ask 108k" not in relisted
    assert f"note (edited) by <@{RECRUITER}>\n> salary ask 180k" in shown
    assert "108k" not in shown
    # The list marks it edited, in its place (older than the hiring manager's).
    again = blocks_text((await say(app, "notes Jane Doe", HM))["blocks"])
    assert again.index("prefers mornings") < again.index("edited\nsalary ask 180k")

    # The same form submitted again is out of date: the note changed since it opened.
    stale = await app.slack.submit_view(form, {"note": "salary ask 200k"}, user=RECRUITER)
    assert stale.json()["errors"]["note"] == CHANGED_MEANWHILE
    assert (await notes(app))[0].reason == "salary ask 180k"


@pytest.mark.both_databases
@built_once(jane)
async def test_a_deleted_note_is_not_edited_and_nobody_edits_anothers(app: Running) -> None:
    await schedule(app, "Jane Doe")
    await say(app, "note Jane Doe: salary ask 180k", HM)
    [hers] = await notes(app)
    listed = await say(app, "notes Jane Doe", HM)
    await click(app, listed, "Edit…", user=HM)
    form = last_view(app)

    for person, why in ((RECRUITER, NOT_YOUR_NOTE), (INTERVIEWER, TEAM_ONLY)):
        [said] = await press(app, f"note_edit_{hers.id}", str(hers.id), user=person)
        assert said.args["text"] == why
        refused = await app.slack.submit_view(form, {"note": "hijacked"}, user=person)
        assert refused.json()["errors"]["note"] == why
    [said] = await press(app, f"note_edit_{hers.id}", str(hers.id), user=OUTSIDER)
    assert "salary" not in said.args["text"] and "Jane" not in said.args["text"]

    await click(app, listed, "Delete", user=HM)
    gone = await app.slack.submit_view(form, {"note": "salary ask 190k"}, user=HM)
    assert gone.json()["errors"]["note"] == GONE
    [said] = await click(app, listed, "Edit…", user=HM)
    assert said.args["text"] == GONE
    assert await notes(app) == []


@pytest.mark.both_databases
@built_once(jane)
async def test_many_notes_are_read_a_page_at_a_time(app: Running, clock) -> None:
    count = SHOWN_NOTES * 2 + 3
    for n in range(1, count + 1):
        await say(app, f"note Jane Doe: note number {n}.")
        clock.advance(timedelta(minutes=1))

    first = await say(app, "notes Jane Doe")
    shown = blocks_text(first["blocks"])
    assert f"note number {count}." in shown and f"note number {count - SHOWN_NOTES}." not in shown
    assert len(first["blocks"]) <= 50  # every note on the page is the reader's own
    assert f"Notes 1 to {SHOWN_NOTES}, latest first." in shown
    assert "Newer notes" not in shown

    second = await click(app, first, "Older notes", user=RECRUITER)
    [page] = second
    assert page.args["replace_original"] is True
    shown = blocks_text(page.args["blocks"])
    assert f"note number {count - SHOWN_NOTES}." in shown
    assert f"Notes {SHOWN_NOTES + 1} to {SHOWN_NOTES * 2}" in shown
    [last] = await click(app, page.args, "Older notes", user=RECRUITER)
    shown = blocks_text(last.args["blocks"])
    assert "note number 1." in shown and "Older notes" not in shown
    assert f"Notes {SHOWN_NOTES * 2 + 1} to {count}" in shown
    [back] = await click(app, last.args, "Newer notes", user=RECRUITER)
    assert f"Notes {SHOWN_NOTES + 1} to {SHOWN_NOTES * 2}" in blocks_text(back.args["blocks"])

    # A page past the end (notes deleted meanwhile) shows the last one; a mangled
    # button says to ask again; someone off the team learns nothing.
    jane_id = (await notes(app))[0].candidate_id
    [past] = await press(app, "notes_page_older", f"{jane_id}:900", user=RECRUITER)
    assert "note number 1." in blocks_text(past.args["blocks"])
    [mangled] = await press(app, "notes_page_older", "x:y", user=RECRUITER)
    assert mangled.args["text"].startswith("That button is out of date")
    [outsider] = await press(app, "notes_page_older", f"{jane_id}:20", user=OUTSIDER)
    assert "note number" not in outsider.args["text"]


@built_once(jane)
async def test_people_mentioned_in_a_note_show_as_mentions(app: Running) -> None:
    """Slack sends "@Riya" typed in a command as <@U…|riya>: the note and the history
    show Riya, while markup that is not a mention stays text."""
    # As Slack sends it: the mention made, what was typed of & and < escaped.
    await say(app, f"note Jane Doe: <@{RECRUITER}|riya> please call her &amp; &lt;b&gt;", user=HM)
    listed = blocks_text((await say(app, "notes Jane Doe"))["blocks"])
    card = blocks_text((await say(app, "status Jane Doe"))["blocks"])
    for shown in (listed, card):
        assert f"<@{RECRUITER}> please call her &amp; &lt;b&gt;" in shown, shown
