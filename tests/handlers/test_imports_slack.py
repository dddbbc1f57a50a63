"""Candidates in and out through Slack: a CSV shared in a DM (preview, Import, once),
and `/hire export` under the same visibility rules as the status card. Every request
is signed as Slack signs it; the Web API is the product's stand-in."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from bot.domain.candidate_csv import MAX_BYTES
from bot.slack.blocks.imports import NOT_CSV, TOO_BIG
from tests import flows
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    all_candidates,
    answer,
    blocks_text,
    buttons,
    create_role,
    last_view,
    schedule,
    submit_scorecard,
)
from tests.handlers.test_interview_changes import pick

DAY = timedelta(days=1)

FILE = (
    "\ufeffName;Email;Role;Stage;Notes\n"
    'Jane Doe;jane@example.com;MLOps Engineer;screening;"Met at a meetup;\nwants remote"\n'
    "Bob Stone;bob@example.com;MLOps Engineer;;\n"
    "Jane Doe;jane@example.com;MLOps Engineer;;\n"
    "Bad Email;not-an-email;MLOps Engineer;;\n"
    "Sam Lee;sam@example.com;Sales Lead;;\n"
).encode()


async def share(app: Running, user: str, filename: str, data: bytes, **event: Any) -> None:
    """The person drops a file into their DM with the app; Slack sends the event."""
    file = app.standin.share_file(user, filename, data)
    body = {
        "type": "message",
        "subtype": "file_share",
        "user": user,
        "channel": f"D{user}",
        "channel_type": "im",
        "text": "",
        "files": [file],
        **event,
    }
    response = await app.slack.event(body, event_id=f"Ev{file['id']}")
    assert response.status_code == 200, response.text
    await app.settle()


def dm_answers(app: Running, user: str) -> list[dict[str, Any]]:
    return [
        c.args for c in app.standin.calls_to("chat.postMessage") if c.args["channel"] == f"D{user}"
    ]


async def pick_role(app: Running, picker: dict[str, Any], title: str) -> dict[str, Any]:
    """Pick `title` in the role picker of a preview's DM; returns the app's answer to it."""
    select = picker["blocks"][1]["elements"][0]
    option = next(o for o in select["options"] if o["text"]["text"] == title)
    await app.slack.action(
        select["action_id"],
        user=RECRUITER,
        message=picker,
        channel=f"D{RECRUITER}",
        action_type="static_select",
        selected_option=option,
        response_url=app.standin.response_url("import"),
    )
    await app.settle()
    return app.standin.calls_to("response_url:import")[-1].args


async def click(app: Running, message: dict[str, Any], label: str, user: str = RECRUITER) -> dict:
    """Click a button in the DM; returns the app's last answer to it."""
    answers = await flows.click(
        app, message, label, user=user, answers="import", channel=f"D{user}", settle=True
    )
    return answers[-1].args


async def test_a_shared_csv_gets_a_preview_then_imports_once(app: Running) -> None:
    await create_role(app)
    await share(app, RECRUITER, "team.csv", FILE)
    [preview] = dm_answers(app, RECRUITER)
    shown = blocks_text(preview["blocks"])
    assert "*5* rows" in shown and "*2* new" in shown and "*2* with problems" in shown
    assert "line 6, column B (Email)" in shown  # Jane's note spans lines 2-3
    assert "line 7, column C (Role)" in shown and "Sales Lead" in shown
    assert "line 5: Jane Doe again (first on line 2)" in shown
    # Who would be added, and where.
    assert "*To import*\n• line 2: Jane Doe → screening\n• line 4: Bob Stone → sourced" in shown
    assert await all_candidates(app) == []  # a preview writes nothing

    result = await click(app, preview, "Import 2 candidates")
    assert result["replace_original"] is True
    assert "Imported 2 candidates from team.csv into MLOps Engineer" in result["text"]
    assert "Import" not in buttons(result["blocks"])
    # What to fix stays in the answer that replaced the preview.
    done = blocks_text(result["blocks"])
    assert "line 6, column B (Email)" in done and "Fix those rows and share the file" in done
    stored = {c.name: c.stage for c in await all_candidates(app)}
    assert stored == {"Jane Doe": "screening", "Bob Stone": "sourced"}
    # The hiring team hears of it in the role's channel (counts, no names), not first
    # from a digest about people it never heard of.
    [news] = [
        c.args["text"]
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == HIRING_CHANNEL and "imported" in c.args["text"]
    ]
    assert news == (
        f":inbox_tray: <@{RECRUITER}> imported 2 candidates into *MLOps Engineer* from "
        "team.csv. Their clocks start now: `/hire pipeline` has them."
    )
    # The history names the importer once, as a mention, not as a raw id in the note.
    history = blocks_text(
        answer(await app.slack.command("status Bob Stone", user=RECRUITER))["blocks"]
    )
    assert f"by <@{RECRUITER}>\n> imported from team.csv" in history, history
    assert f"by {RECRUITER}" not in history
    # The file's Notes column is a note by the importer: the hiring team reads it in
    # /hire notes; an interviewer's card leaves it out, as it leaves out every note.
    notes = blocks_text(answer(await app.slack.command("notes Jane Doe", user=HM))["blocks"])
    assert "Met at a meetup;\nwants remote" in notes and f"<@{RECRUITER}>" in notes, notes
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER,))
    theirs = blocks_text(
        answer(await app.slack.command("status Jane Doe", user=INTERVIEWER))["blocks"]
    )
    assert "Jane Doe" in theirs and "meetup" not in theirs, theirs

    # A stale or repeated click (the button on an old copy of the message) adds nothing,
    # and leaves the first click's result where it is: a private word, not a replacement
    # saying "nothing imported" over what was.
    again = await click(app, preview, "Import 2 candidates")
    assert again["text"] == (
        "Nothing more to import from team.csv: its new people are in Loopkeeper already "
        "(it was imported a moment ago). See them with `/hire pipeline`."
    )
    assert not again.get("replace_original")
    assert len(await all_candidates(app)) == 2


async def test_a_closed_candidate_in_the_file_is_said_to_be_closed(app: Running) -> None:
    """Bob was rejected: the file's Bob is him, left as he is, and the preview says he is
    rejected and how to bring back someone who applied again."""
    role = await create_role(app)
    await add_candidate(app, "Bob Stone", role=role, email="bob@example.com")
    await add_candidate(app, "Ann Able", role=role)
    await app.slack.command("move Bob Stone to rejected: not now", user=RECRUITER)
    await share(app, RECRUITER, "two.csv", b"Name,Email\nBob Stone,bob@example.com\nAnn Able,\n")
    shown = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
    assert "• line 2: Bob Stone (MLOps Engineer, *rejected*)" in shown, shown
    assert "• line 3: Ann Able (MLOps Engineer)" in shown
    assert "add them with `/hire add`" in shown


async def test_a_file_present_already_offers_no_import(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Bob Stone", role=role, email="bob@example.com")
    await share(app, RECRUITER, "one.csv", b"Name,Email\nRobert Stone,BOB@example.com\n")
    preview = dm_answers(app, RECRUITER)[-1]
    shown = blocks_text(preview["blocks"])
    assert "*1* row · *0* new · *1* already in Loopkeeper" in shown, shown
    # Named, with its line: a namesake would be told from a match.
    assert "*Already in Loopkeeper*, left as they are\n• line 2: Robert Stone (MLOps" in shown
    assert "Nothing new to import." in shown
    assert buttons(preview["blocks"]) == {}


async def test_a_file_without_roles_asks_which_role_when_there_are_several(app: Running) -> None:
    await create_role(app)
    data_role = await create_role(app, title="Data Engineer")
    await share(app, RECRUITER, "names.csv", b"Name\nJane Doe\nBob Stone\n")
    picker = dm_answers(app, RECRUITER)[-1]
    assert "no role column: which role are they for?" in picker["text"]
    preview = await pick_role(app, picker, "Data Engineer")
    assert "New candidates go to: Data Engineer" in blocks_text(preview["blocks"])
    await click(app, preview, "Import 2 candidates")
    assert {c.role_id for c in await all_candidates(app)} == {data_role.id}

    # The same picker, once she is taken off that role's team: it read "There is no
    # role that role among the roles you can add candidates to."
    opened = await app.slack.command("role edit Data Engineer", user=ADMIN)
    assert not opened.content, opened.text
    values = {"recruiters": [ADMIN], "channel": "GDATAENGXX"}
    edited = await app.slack.submit_view(last_view(app), values, user=ADMIN)
    assert not edited.content, edited.text
    await app.settle()
    stale = (await pick_role(app, picker, "Data Engineer"))["text"]
    assert stale.startswith("That role no longer takes candidates from you"), stale
    assert "role that role" not in stale


async def test_what_cannot_be_imported_is_answered_plainly(app: Running) -> None:
    await share(app, OUTSIDER, "team.csv", FILE)
    assert "you are on none yet" in dm_answers(app, OUTSIDER)[-1]["text"]
    await create_role(app)
    await share(app, RECRUITER, "resume.pdf", b"%PDF-1.7")
    assert dm_answers(app, RECRUITER)[-1]["text"] == NOT_CSV
    downloads = [c for c in app.standin.calls if c.method.startswith("download:")]
    await share(app, RECRUITER, "huge.csv", b"Name\n" + b"x" * MAX_BYTES)
    assert dm_answers(app, RECRUITER)[-1]["text"] == TOO_BIG
    # Neither was fetched: files.info said what they were.
    assert [c for c in app.standin.calls if c.method.startswith("download:")] == downloads
    await share(app, RECRUITER, "book.csv", b"PK\x03\x04 a workbook renamed")
    assert "Excel workbook" in dm_answers(app, RECRUITER)[-1]["text"]


async def test_slacks_retry_of_the_event_previews_once(app: Running) -> None:
    await create_role(app)
    file = app.standin.share_file(RECRUITER, "team.csv", FILE)
    event = {
        "type": "message",
        "subtype": "file_share",
        "user": RECRUITER,
        "channel": f"D{RECRUITER}",
        "channel_type": "im",
        "files": [file],
    }
    await app.slack.event(event, event_id="EvSAME")
    await app.slack.event(event, event_id="EvSAME", retry_num=1)
    await app.settle()
    assert len(dm_answers(app, RECRUITER)) == 1


# Export ----------------------------------------------------------------------------------------


def exported(app: Running) -> list[dict[str, str]]:
    """The rows of the latest CSV the app uploaded."""
    files = [f for f in app.standin.files.values() if f["filename"].startswith("loopkeeper-")]
    text = files[-1]["bytes"].decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def test_export_sends_what_each_person_may_see(app: Running, clock) -> None:
    for who, name in ((INTERVIEWER, "Ana Ruiz"), (INTERVIEWER_2, "Ben Ode"), (HM, "Hana Mori")):
        app.standin.set_user(who, real_name=name)
    app.standin.set_user(RECRUITER, real_name="Riya Patel")
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")
    await add_candidate(app, "=HYPERLINK(evil)", role=role)
    interview = await schedule(
        app, "Jane Doe", interviewers=(INTERVIEWER, INTERVIEWER_2), starts=clock.now()
    )
    await schedule(
        app, "Jane Doe", plan="audit", interviewers=(INTERVIEWER,), starts=clock.now() + DAY
    )
    card = answer(await app.slack.command("status Jane Doe", user=RECRUITER))
    await pick(app, card, "cancel", index=1)
    await app.slack.submit_view(last_view(app), {"reason": "not needed"}, user=RECRUITER)
    decides = clock.now() + timedelta(days=5)
    await app.slack.command("deadline Jane Doe", user=RECRUITER)
    await app.slack.submit_view(
        last_view(app), {"deadline": decides, "reason": "competing offer"}, user=RECRUITER
    )
    await submit_scorecard(app, interview, user=INTERVIEWER_2, rating="4")
    await app.slack.command("note Jane Doe: expects an offer by Friday", user=HM)
    clock.advance(timedelta(minutes=5))
    await app.slack.command("note Jane Doe: referred by Sam", user=RECRUITER)

    ack = answer(await app.slack.command("export", user=RECRUITER))
    assert ack["text"] == "Sending you a CSV of 2 candidates in our DM."
    await app.settle()
    rows = exported(app)
    assert [r["name"] for r in rows] == ["Jane Doe", "'=HYPERLINK(evil)"]  # stays text
    assert rows[0]["stage"] == "interviewing" and rows[0]["scorecards_in"] == "1 of 2"
    # People by the names Slack gives them (a spreadsheet shows no mentions), interviews
    # by their title, and one cancelled said so (no scorecard is due for it).
    assert rows[0]["recommendations"] == "Ben Ode: Strong yes"
    interviews = rows[0]["interviews"]
    assert interviews.startswith("Production incident interview ")
    assert "(Ana Ruiz, Ben Ode);" in interviews
    assert interviews.endswith("(Ana Ruiz), cancelled"), interviews
    # The hiring team's notes, latest first, one a line.
    noted = clock.now()
    first, second = noted - timedelta(minutes=5), noted
    assert rows[0]["notes"] == (
        f"{second:%Y-%m-%d %H:%M} UTC Riya Patel: referred by Sam\n"
        f"{first:%Y-%m-%d %H:%M} UTC Hana Mori: expects an offer by Friday"
    )
    assert rows[1]["notes"] == ""
    assert (rows[0]["decides_by"], rows[0]["decides_by_reason"]) == (
        f"{decides:%Y-%m-%dT%H:%M:%SZ}",
        "competing offer",
    )
    assert (rows[1]["decides_by"], rows[1]["decides_by_reason"]) == ("", "")
    upload = app.standin.calls_to("files.completeUploadExternal")[-1].args
    assert upload["channel_id"] == f"D{RECRUITER}"  # the requester's DM, nowhere else

    # An interviewer sees only their own candidate, and nobody's recommendation before
    # submitting their own.
    ack = answer(await app.slack.command("export", user=INTERVIEWER))
    assert ack["text"] == "Sending you a CSV of 1 candidate in our DM."
    await app.settle()
    [row] = exported(app)
    assert row["name"] == "Jane Doe"
    assert row["recommendations"] == "Ben Ode: hidden until you submit your own"
    assert row["notes"] == ""  # notes are the hiring team's
    # As their card: when she decides, not why (a competing offer is the team's).
    assert (row["decides_by"], row["decides_by_reason"]) == (f"{decides:%Y-%m-%dT%H:%M:%SZ}", "")
    # Their scorecard for the first interview, from its kit (the later kit's was cancelled).
    first_kit = next(
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == INTERVIEWER and c.args["text"].startswith("Interview kit")
    )
    await flows.click(
        app, first_kit, "Submit scorecard", user=INTERVIEWER, channel=f"D{INTERVIEWER}"
    )
    form = last_view(app)
    assert form["private_metadata"] and "Edit" not in form["title"]["text"]
    await app.slack.submit_view(form, flows.good_scorecard(form, "2"), user=INTERVIEWER)
    await app.settle()
    answer(await app.slack.command("export", user=INTERVIEWER))
    await app.settle()
    [row] = exported(app)
    assert row["recommendations"] == "Ana Ruiz: No; Ben Ode: Strong yes"

    refused = answer(await app.slack.command("export", user=OUTSIDER))
    assert refused["text"].startswith("You have no candidates to export")
    assert answer(await app.slack.command("export sales", user=RECRUITER))["text"].startswith(
        "You have no candidates to export in roles matching “sales”"
    )


async def test_someone_imported_as_hired_does_not_fill_the_role(app: Running, clock) -> None:
    """A person hired before Loopkeeper, imported as hired twelve days after the role
    opened, is no hire made in it: the role is not filled, and no hire in 0 days."""
    await create_role(app)
    clock.advance(timedelta(days=12))
    await share(app, RECRUITER, "past.csv", b"Name,Email,Stage\nAda Byron,ada@example.com,hired\n")
    [preview] = dm_answers(app, RECRUITER)
    assert "Imported 1 candidate" in (await click(app, preview, "Import 1 candidate"))["text"]
    assert {c.name: c.stage for c in await all_candidates(app)} == {"Ada Byron": "hired"}

    text = blocks_text(answer(await app.slack.command("pipeline", user=HM))["blocks"])

    assert "Not filled yet: open 12 days" in text, text
    assert "time to hire" not in text


async def test_a_long_file_s_preview_counts_the_rest_in_plain_words(app: Running) -> None:
    await create_role(app)
    rows = "".join(f"Person {n:03d},p{n}@example.com\n" for n in range(40))
    await share(app, RECRUITER, "many.csv", f"Name,Email\n{rows}".encode())
    [preview] = dm_answers(app, RECRUITER)
    shown = blocks_text(preview["blocks"])
    assert "*40* new" in shown
    more = [line for line in shown.splitlines() if line.startswith("… and ")]
    assert more and all(line.endswith(" more.") for line in more), more


async def test_rows_with_an_empty_role_get_the_picker_the_problem_points_to(app: Running) -> None:
    """A Greenhouse export with its Job column empty: every row read "no role: fill in
    the role, or pick one for the whole file", with nothing to pick from."""
    await create_role(app)
    data_role = await create_role(app, title="Data Engineer")
    await share(
        app,
        RECRUITER,
        "greenhouse.csv",
        b"Name,Email,Job\nJane Doe,jane@example.com,\nBob Stone,bob@example.com,MLOps Engineer\n",
    )
    picker = dm_answers(app, RECRUITER)[-1]
    assert picker["text"] == (
        "greenhouse.csv has 2 rows, some with an empty role: which role are those for? "
        "Rows that name a role keep it."
    )
    preview = await pick_role(app, picker, "Data Engineer")
    assert "*0* with problems" in blocks_text(preview["blocks"]), blocks_text(preview["blocks"])
    await click(app, preview, "Import 2 candidates")
    roles = {c.name: c.role_id for c in await all_candidates(app)}
    assert roles["Jane Doe"] == data_role.id and roles["Bob Stone"] != data_role.id


async def test_a_row_with_the_email_of_someone_in_another_role_is_said(app: Running) -> None:
    """Tom Becker, hired for MLOps, was in the file for Data Engineer with his email: the
    preview counted him new without a word, where `/hire add` names that record. He is
    imported (another application) and the preview says who has the email; a role the
    importer does not see is not named."""
    mlops = await create_role(app)
    await add_candidate(app, "Tom Becker", role=mlops, email="tom.becker@example.com")
    hidden = await create_role(app, title="Sales Lead", hm=ADMIN, recruiters=(ADMIN,))
    await add_candidate(app, "Uma Hidden", role=hidden, email="uma@example.com", user=ADMIN)
    data_role = await create_role(app, title="Data Engineer")
    await share(
        app,
        RECRUITER,
        "data.csv",
        b"Name,Email,Role\nTom Becker,TOM.BECKER@example.com,Data Engineer\n"
        b"Uma Hidden,uma@example.com,Data Engineer\n",
    )
    [preview] = dm_answers(app, RECRUITER)
    shown = blocks_text(preview["blocks"])
    assert "*2* new" in shown, shown
    assert "*Also on file in another role*" in shown
    assert "• line 2: the email of Tom Becker, MLOps Engineer (sourced)" in shown
    assert "Sales Lead" not in shown and "line 3: the email" not in shown
    await click(app, preview, "Import 2 candidates")
    assert {c.name for c in await all_candidates(app) if c.role_id == data_role.id} == {
        "Tom Becker",
        "Uma Hidden",
    }


async def test_an_old_preview_whose_role_closed_since_does_not_claim_all_are_in(
    app: Running,
) -> None:
    """Preview of two; one added by hand; the role closed; Import on the old preview said
    "its new people are in Loopkeeper already", though the other never was."""
    role = await create_role(app)
    await create_role(app, title="Data Scientist")  # an open role: the import goes ahead
    two = (
        b"name,email,role\n"
        b"Uma Four,uma@example.com,MLOps Engineer\n"
        b"Vic Four,vic@example.com,MLOps Engineer\n"
    )
    await share(app, RECRUITER, "race.csv", two)
    [preview] = dm_answers(app, RECRUITER)
    await add_candidate(app, "Vic Four", role=role, email="vic@example.com")
    await app.slack.command("role close MLOps Engineer", user=HM)
    await app.settle()

    result = await click(app, preview, "Import 2 candidates")

    assert "Nothing more to import" not in result["text"], result["text"]
    shown = blocks_text(result.get("blocks") or []) or result["text"]
    assert "MLOps Engineer is closed and takes no new candidates" in shown, shown
    assert {c.name for c in await all_candidates(app)} == {"Vic Four"}


async def test_excel_s_unicode_text_and_a_tsv_import_as_a_csv_does(app: Running) -> None:
    """Excel's "Unicode text" is UTF-16 with tabs, saved as .txt; exports come as .tsv. The
    README said they import; shared, they got "I can import candidates from a CSV file"."""
    await create_role(app)
    rows = "Name\tEmail\tRole\nUma Four\tuma@example.com\tMLOps Engineer\n"
    await share(app, RECRUITER, "Unicode Text.txt", rows.encode("utf-16"))
    shown = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
    assert "*1* new" in shown and "Uma Four" in shown, shown
    await share(app, RECRUITER, "export.tsv", rows.replace("Uma", "Ula").encode())
    assert "Ula Four" in blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])


async def test_a_role_or_headings_not_understood_say_what_was_meant_or_read(
    app: Running,
) -> None:
    """ "no role called “MLOps”" named no role that could be meant; German headings got
    "I found no column for the candidates' names" without a word of what was read."""
    await create_role(app)
    await create_role(app, title="Data Scientist")
    await share(app, RECRUITER, "team.csv", b"Name,Role\nUma Four,MLOps\nVic Four,Sales\n")
    shown = blocks_text(dm_answers(app, RECRUITER)[-1]["blocks"])
    assert (
        "no role called “MLOps” among the roles you can add candidates to. Did you mean " in (shown)
        and "“MLOps Engineer”?" in shown
    ), shown
    assert "“Sales” among the roles you can add candidates to. Yours: “Data Scientist”, " in (
        shown
    ), shown
    await share(app, RECRUITER, "de.csv", b"Vorname;Nachname;E-Mail-Adresse\n")
    said = dm_answers(app, RECRUITER)[-1]["text"]
    assert "The headings I read: “Vorname”, “Nachname”, “E-Mail-Adresse”." in said, said


async def test_a_file_larger_than_one_network_read_is_read_to_its_end(app: Running) -> None:
    # Some 300 KB: a download arrives in chunks, and the last row is read whole.
    await create_role(app)
    rows = "".join(
        f"Person {n:04d} With A Longer Name,person{n}@example.com\n" for n in range(6000)
    )
    await share(
        app, RECRUITER, "big.csv", f"Name,Email\n{rows}Last Row,last@example.com\n".encode()
    )
    [preview] = dm_answers(app, RECRUITER)
    shown = blocks_text(preview["blocks"])
    assert "*6,001* rows" in shown and "*6,001* new" in shown and "*0* with problems" in shown
    result = await click(app, preview, "Import 6,001 candidates")
    assert "Imported 6,001 candidates from big.csv" in result["text"], result["text"]
    stored = await all_candidates(app)
    assert len(stored) == 6001 and "Last Row" in {c.name for c in stored}
    # Counts this size read as everywhere else: "6001 open · sourced 6001" had no commas.
    board = blocks_text(answer(await app.slack.command("pipeline", user=RECRUITER))["blocks"])
    assert "*MLOps Engineer*: 6,001 open · sourced 6,001" in board, board[:300]
    assert "*Sourced* (6,001)" in board
