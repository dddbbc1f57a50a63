"""Take-home assignments end to end: sent from the status card, received with a link,
graded part by part by two graders with independence, shown on the card and in the
feedback-complete summary; an unanswered one alerts the recruiters once. Through
signed requests against the Slack stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.domain import clocks
from bot.domain.clocks import Audience, Kind
from bot.domain.stages import Stage
from bot.playground.standin import SlackStandin
from bot.slack.blocks.common import when
from bot.store.tables import Alert, Takehome, TakehomeGrade, TakehomeGrader, TakehomeRating
from bot.usecases import takehomes as takehome_cases
from tests import flows
from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    create_role,
    home_of,
    last_view,
    schedule,
    stored,
    submit_scorecard,
)
from tests.scheduling.test_sweep import messages_to
from tests.worlds import built_once

GRADER = "UGRD0001"
LINK = "https://github.com/jane/churn-takehome"


# Steps -----------------------------------------------------------------------------------


async def card(app: Running, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command("status Jane", user=user))


async def click(app: Running, message: dict[str, Any], label: str, *, user: str) -> list[Any]:
    """Click a button of a message that stays; returns its response_url posts."""
    container = {"type": "message", "message_ts": "1.2", "channel_id": "C111"}
    return await flows.click(app, message, label, user=user, container=container, settle=True)


def dms_to(app: Running, user: str, starting: str = "") -> list[dict[str, Any]]:
    return [
        c.args
        for c in app.standin.calls_to("chat.postMessage")
        if c.args["channel"] == user and c.args["text"].startswith(starting)
    ]


async def send(
    app: Running, *, graders: tuple[str, ...] = (GRADER, INTERVIEWER), note: str = ""
) -> Takehome:
    """Send take-home from the recruiter's card, with the due time left at its default."""
    await click(app, await card(app), "Send take-home", user=RECRUITER)
    view = last_view(app)
    assert view["callback_id"] == "takehome_send"
    values: dict[str, Any] = {"graders": list(graders)} | ({"note": note} if note else {})
    submitted = await app.slack.submit_view(view, values, user=RECRUITER)
    assert submitted.status_code == 200 and not submitted.content, submitted.text
    await app.settle()
    return (await stored(app, Takehome))[-1]


async def receive(app: Running, url: str = LINK) -> Any:
    await click(app, await card(app), "Received", user=RECRUITER)
    view = last_view(app)
    assert view["callback_id"] == "takehome_received"
    response = await app.slack.submit_view(view, {"url": url}, user=RECRUITER)
    await app.settle()
    return response


async def open_grade(app: Running, grader: str) -> Any:
    """Click Grade in the grader's DM; returns the click's response_url posts."""
    [dm] = dms_to(app, grader, "Take-home to grade")
    replies = await click(app, dm, "Grade", user=grader)
    return replies


def grade_values(view: dict[str, Any], rating: str, evidence: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {
        b["block_id"]: rating
        for b in view["blocks"]
        if b.get("type") == "input" and b["block_id"].startswith("rate_")
    }
    if evidence:
        values["evidence_serving"] = evidence
    values["summary"] = "Clean pipeline; the API validates input and returns a confidence."
    return values


async def grade(app: Running, grader: str, rating: str, evidence: str = "") -> Any:
    await open_grade(app, grader)
    view = last_view(app)
    assert view["callback_id"] == "takehome_grade"
    response = await app.slack.submit_view(view, grade_values(view, rating, evidence), user=grader)
    await app.settle()
    return response


@pytest.fixture
def standin(standin: SlackStandin) -> SlackStandin:
    """Gita and Ana by name, for every test here: users.info is the stand-in's to answer,
    not part of a world kept in a database (tests/worlds.py)."""
    standin.set_user(GRADER, real_name="Gita Rao")
    standin.set_user(INTERVIEWER, real_name="Ana Ruiz")
    return standin


async def setup(app: Running, *, recruiters: tuple[str, ...] = (RECRUITER,)) -> None:
    role = await create_role(app, recruiters=recruiters)
    await add_candidate(app, "Jane Doe", role=role, user=recruiters[0])


# The whole path ----------------------------------------------------------------------------


@pytest.mark.both_databases
@built_once(setup)
async def test_sent_received_and_graded_by_two_graders_with_independence(
    app: Running, clock
) -> None:
    interview = await schedule(app, "Jane", plan="incident", interviewers=(INTERVIEWER,))
    first = await card(app)
    assert "Not sent yet: about 4 h of work, in 3 parts" in blocks_text(first["blocks"])

    takehome = await send(app)

    assert takehome.status == "sent" and takehome.sent_by == RECRUITER
    assert takehome.due_at == clock.now() + timedelta(hours=72)  # the template's window
    shown = await card(app)
    text = blocks_text(shown["blocks"])
    assert "Take-home" in text and "(3 days left)" in text
    assert {"Received", "Not received"} <= set(buttons(shown["blocks"]))
    assert "Send take-home" not in buttons(shown["blocks"])  # one open at a time
    assert not dms_to(app, GRADER)  # graders hear of it once it is in

    # A submission link that is no link stays on the field.
    clock.advance(timedelta(hours=30))
    refused = await receive(app, url="the repo on github")
    assert refused.json()["response_action"] == "errors"
    assert "url" in refused.json()["errors"]
    assert (await stored(app, Takehome))[-1].status == "sent"
    assert (await receive(app, url=LINK.removeprefix("https://"))).status_code == 200

    [takehome] = await stored(app, Takehome)
    assert (takehome.status, takehome.submission_url, takehome.recorded_by) == (
        "received",
        LINK,
        RECRUITER,
    )
    for grader in (GRADER, INTERVIEWER):
        [dm] = dms_to(app, grader, "Take-home to grade")
        rubric = blocks_text(dm["blocks"])
        assert "Training pipeline" in rubric and "Serving" in rubric and "Monitoring" in rubric
        assert "returns a confidence" in rubric and "retraining trigger" in rubric
        assert LINK in rubric and "Grade" in buttons(dm["blocks"])

    # The interviews are done before the grades: the loop waits for them.
    await submit_scorecard(app, interview, INTERVIEWER)
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is None

    # Gita grades first; her confirmation shows only her own grade.
    await open_grade(app, GRADER)
    modal = last_view(app)
    assert [b["block_id"] for b in modal["blocks"] if b.get("type") == "input"] == [
        "rate_pipeline",
        "evidence_pipeline",
        "rate_serving",
        "evidence_serving",
        "rate_monitoring",
        "evidence_monitoring",
        "summary",
    ]
    empty = await app.slack.submit_view(modal, {"rate_pipeline": "3"}, user=GRADER)
    assert set(empty.json()["errors"]) == {"rate_serving", "rate_monitoring", "summary"}
    assert (await grade(app, GRADER, "4", evidence="Pydantic schema on every field")).status_code
    [confirmation] = dms_to(app, GRADER, "Your grade")
    assert "Grades so far* (1 of 2)" in blocks_text(confirmation["blocks"])

    # Ana has not graded: she sees that Gita's grade is in, not what it says.
    hidden = blocks_text((await card(app, user=INTERVIEWER))["blocks"])
    assert f"<@{GRADER}>: graded" in hidden
    assert "Strong yes" not in hidden.split("Take-home", 1)[1]
    assert "Others' grades show here once you have graded it yourself." in hidden
    await open_grade(app, INTERVIEWER)
    assert "Pydantic schema" not in str(last_view(app))  # nothing of Gita's in her modal
    await app.slack.submit_view(last_view(app), grade_values(last_view(app), "2"), user=INTERVIEWER)
    await app.settle()

    [after] = dms_to(app, INTERVIEWER, "Your grade")
    both = blocks_text(after["blocks"])
    assert "(2 of 2)" in both and f"<@{GRADER}>: Training pipeline Strong yes" in both
    seen = blocks_text((await card(app, user=INTERVIEWER))["blocks"])
    assert "Serving Strong yes" in seen and "Serving No" in seen

    # The last grade completes the loop: one summary, grades beside the interviews.
    jane = await candidate_named(app, "Jane Doe")
    assert jane.feedback_complete_at == clock.now()
    summaries = [m for m in dms_to(app, HM) if m["text"].startswith("All scorecards for Jane")]
    assert len(summaries) == 1
    summary = blocks_text(summaries[0]["blocks"])
    assert "Take-home" in summary and "Gita" in summary and "Ana" in summary
    assert "graded by 2 graders:" in summary
    serving = next(line for line in summary.splitlines() if line.startswith("Serving"))
    assert serving.split() == ["Serving", "4", "2"]
    assert "Model serving" not in summary.split("Nobody assessed", 1)[-1]  # rated by a part
    team_card = blocks_text((await card(app, user=HM))["blocks"])
    assert "Training pipeline Strong yes" in team_card and "Training pipeline No" in team_card

    async with app.deps.db.reader() as session:
        grades = (await session.exec(select(TakehomeGrade))).all()
        ratings = (await session.exec(select(TakehomeRating))).all()
    assert sorted(g.grader_id for g in grades) == sorted([GRADER, INTERVIEWER])
    assert len(ratings) == 6
    assert {r.evidence for r in ratings if r.part == "serving"} == {
        "Pydantic schema on every field",
        "",
    }

    # The Grade button again opens the grade to edit, filled in; nothing is stored twice.
    assert await open_grade(app, GRADER) == []
    assert last_view(app)["title"]["text"] == "Edit your grade"


@pytest.mark.both_databases
@built_once(setup)
async def test_a_take_home_to_grade_is_on_the_grader_s_home_and_in_hire_feedback(
    app: Running,
) -> None:
    """Besides its DM, a received take-home waiting on a grade is where a grader looks
    for what they owe: their Home tab (with its Grade button, which opens the form) and
    /hire feedback. Once graded, it is gone from both."""
    await send(app, graders=(GRADER,))
    assert "Take-homes to grade" not in blocks_text((await home_of(app, GRADER))["blocks"])
    await receive(app)

    home = await home_of(app, GRADER)
    shown = blocks_text(home["blocks"])
    assert "Take-homes to grade" in shown and "*Jane Doe* (MLOps Engineer) · received" in shown
    listed = answer(await app.slack.command("feedback", user=GRADER))
    assert "Take-homes to grade" in blocks_text(listed["blocks"])
    assert "Jane Doe" in blocks_text(listed["blocks"])
    # The headline counts it: it said only "You have no scorecards to write".
    assert listed["text"] == "You have no scorecards to write, and 1 take-home to grade."
    await click(app, home, "Grade", user=GRADER)
    form = last_view(app)
    assert form["callback_id"] == "takehome_grade"
    graded = await app.slack.submit_view(form, grade_values(form, "3"), user=GRADER)
    assert not graded.content, graded.text
    await app.settle()

    assert "Take-homes to grade" not in blocks_text((await home_of(app, GRADER))["blocks"])
    listed = answer(await app.slack.command("feedback", user=GRADER))
    assert "Take-homes to grade" not in blocks_text(listed["blocks"])


@built_once(setup)
async def test_a_grader_edits_their_grade_and_the_team_sees_it_was_edited(app: Running) -> None:
    await send(app, graders=(GRADER,))
    await receive(app)
    await grade(app, GRADER, "2", evidence="No input validation")

    assert await open_grade(app, GRADER) == []
    form = last_view(app)
    assert (form["title"]["text"], form["submit"]["text"]) == ("Edit your grade", "Save")
    fields = {b.get("block_id"): b for b in form["blocks"]}
    assert fields["rate_serving"]["element"]["initial_option"]["value"] == "2"
    assert fields["evidence_serving"]["element"]["initial_value"] == "No input validation"
    assert fields["summary"]["element"]["initial_value"].startswith("Clean pipeline")

    same = await app.slack.submit_view(form, {}, user=GRADER)
    assert same.json()["errors"]["summary"] == takehome_cases.SAME_GRADE
    before = len(app.standin.calls)
    saved = await app.slack.submit_view(
        form, {"rate_serving": "3", "evidence_serving": "Validates on second look"}, user=GRADER
    )
    assert saved.status_code == 200 and not saved.content, saved.text
    await app.settle()

    async with app.deps.db.reader() as session:
        [stored_grade] = (await session.exec(select(TakehomeGrade))).all()
        ratings = (await session.exec(select(TakehomeRating))).all()
    assert stored_grade.version == 2 and len(ratings) == 3  # replaced, not added
    assert {(r.part, r.rating, r.evidence) for r in ratings if r.part == "serving"} == {
        ("serving", 3, "Validates on second look")
    }
    [told] = [m for m in messages_to(app, GRADER, before) if m["text"].startswith("Your grade of")]
    assert told["text"] == "Your grade of Jane Doe's take-home is updated."
    team_card = blocks_text((await card(app, user=HM))["blocks"])
    assert f"<@{GRADER}>: graded (edited): " in team_card and "Serving Yes" in team_card

    # The first window, saved after the edit, is out of date: nothing is overwritten.
    stale = await app.slack.submit_view(form, {"rate_serving": "1"}, user=GRADER)
    assert stale.json()["errors"]["summary"] == takehome_cases.GRADE_CHANGED_MEANWHILE
    # Once the candidate moves on to offer, grading is closed, edits too.
    await app.slack.command("move Jane Doe to decision", user=RECRUITER)
    await app.slack.command("move Jane Doe to offer", user=RECRUITER)
    [closed] = await open_grade(app, GRADER)
    assert "grading is closed" in closed.args["text"]


# Stale buttons, refusals and bad input ---------------------------------------------------


@built_once(setup)
async def test_stale_answer_buttons_change_nothing(app: Running) -> None:
    await send(app)
    old = await card(app)
    assert (await receive(app)).status_code == 200

    [again] = await click(app, old, "Received", user=RECRUITER)
    assert "already recorded as received; nothing changed" in again.args["text"]
    [twice] = await click(app, old, "Not received", user=RECRUITER)
    assert "already recorded as received; nothing changed" in twice.args["text"]
    assert [t.status for t in await stored(app, Takehome)] == ["received"]


@built_once(setup)
async def test_not_received_closes_it_and_a_new_one_may_be_sent(app: Running) -> None:
    await send(app)
    [reply] = await click(app, await card(app), "Not received", user=RECRUITER)
    assert "recorded as not received" in reply.args["text"]
    assert reply.args["replace_original"] is True
    assert "Send take-home" in buttons(reply.args["blocks"])
    assert not dms_to(app, GRADER)  # nothing to grade

    replies = await click(app, await card(app), "Send take-home", user=RECRUITER)
    assert replies == [] and last_view(app)["callback_id"] == "takehome_send"  # a new form


@built_once(setup)
async def test_closed_candidate_buttons_answer_privately(app: Running) -> None:
    await send(app)
    old = await card(app)
    await app.slack.command("move Jane Doe to rejected: went elsewhere", user=RECRUITER)
    await app.settle()

    [reply] = await click(app, old, "Not received", user=RECRUITER)
    assert "Jane Doe is rejected; nothing changed." in reply.args["text"]
    assert [t.status for t in await stored(app, Takehome)] == ["sent"]


@built_once(setup)
async def test_send_form_errors_stay_on_their_fields(app: Running, clock) -> None:
    await click(app, await card(app), "Send take-home", user=RECRUITER)
    view = last_view(app)
    past = clock.now() - timedelta(hours=1)
    response = await app.slack.submit_view(view, {"graders": [], "due": past}, user=RECRUITER)
    errors = response.json()["errors"]
    assert errors["graders"] == "Pick at least one grader."
    assert errors["due"] == "The due time must be in the future."
    assert await stored(app, Takehome) == []


@built_once(setup)
async def test_only_the_team_sends_and_records(app: Running) -> None:
    await schedule(app, "Jane", interviewers=(INTERVIEWER,))
    interviewer_card = await card(app, user=INTERVIEWER)
    assert "Send take-home" not in buttons(interviewer_card["blocks"])
    recruiter_card = await card(app)

    for person, words in (
        (INTERVIEWER, "Only the role's recruiters and hiring manager send and record"),
        (OUTSIDER, "I can't find that candidate among the roles you hire for."),
    ):
        [reply] = await flows.click(app, recruiter_card, "Send take-home", user=person, settle=True)
        assert words in reply.args["text"]

    # A forged submission gets no further than the button.
    await click(app, recruiter_card, "Send take-home", user=RECRUITER)
    forged = await app.slack.submit_view(last_view(app), {"graders": [GRADER]}, user=OUTSIDER)
    assert "can't find that candidate" in forged.json()["errors"]["graders"]
    assert await stored(app, Takehome) == []

    # A grader's button is theirs alone.
    await send(app, graders=(GRADER,))
    assert (await receive(app)).status_code == 200
    [dm] = dms_to(app, GRADER, "Take-home to grade")
    [refused] = await click(app, dm, "Grade", user=INTERVIEWER)
    assert "graded by others" in refused.args["text"]


# The take-home's own clock ---------------------------------------------------------------


def digest_lines(app: Running, user: str) -> list[str]:
    return [
        line
        for m in dms_to(app, user)
        for line in blocks_text(m["blocks"]).splitlines()
        if "take-home was due" in line
    ]


@pytest.mark.both_databases
@built_once(setup, recruiters=(RECRUITER, RECRUITER_2))
async def test_an_unanswered_takehome_alerts_the_recruiters_once(app: Running, clock) -> None:
    takehome = await send(app)

    clock.advance(timedelta(hours=71))
    await app.sweeper.run(clock.now())
    assert digest_lines(app, RECRUITER) == []

    clock.advance(timedelta(hours=2))  # an hour past due
    await app.sweeper.run(clock.now())
    for recruiter in (RECRUITER, RECRUITER_2):
        [line] = digest_lines(app, recruiter)
        assert "Jane Doe" in line and "not recorded yet" in line
    assert digest_lines(app, HM) == []  # recruiters chase submissions

    for hours in (1, 24, 48):  # later sweeps, a day later: nothing again
        clock.advance(timedelta(hours=hours))
        await app.sweeper.run(clock.now())
    assert len(digest_lines(app, RECRUITER)) == 1

    # A fact of the candidate changing re-plans the take-home under the same key.
    await app.slack.command("move Jane Doe to screening", user=RECRUITER)
    await app.settle()
    await app.sweeper.run(clock.now())
    assert len(digest_lines(app, RECRUITER)) == 1
    async with app.deps.db.reader() as session:
        alerts = (
            await session.exec(select(Alert).where(Alert.kind == Kind.TAKEHOME_OVERDUE.value))
        ).all()
    assert sorted((a.recipient_id, a.status) for a in alerts) == [
        (RECRUITER, "sent"),
        (RECRUITER_2, "sent"),
    ]
    assert {a.subject for a in alerts} == {f"takehome:{takehome.id}"}


@pytest.mark.both_databases
@built_once(setup)
async def test_a_takehome_answered_in_time_never_alerts(app: Running, clock) -> None:
    await send(app)
    clock.advance(timedelta(hours=10))
    await click(app, await card(app), "Not received", user=RECRUITER)
    clock.advance(timedelta(days=5))
    await app.sweeper.run(clock.now())
    assert digest_lines(app, RECRUITER) == []
    [takehome] = await stored(app, Takehome)
    assert takehome.next_alert_at is None  # nothing left to wait for


# The chain as a pure function ------------------------------------------------------------

DUE = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


def facts(*, answered: bool = False, stage: Stage = Stage.SCREENING) -> clocks.TakehomeFacts:
    return clocks.TakehomeFacts(7, DUE, answered, stage)


def test_the_takehome_chain_is_one_breach_to_the_recruiters_at_the_deadline() -> None:
    [step] = clocks.takehome_steps(facts())
    assert (step.kind, step.due_at, step.deadline) == (Kind.TAKEHOME_OVERDUE, DUE, DUE)
    assert step.audience == Audience.RECRUITERS and step.breach and step.repeat == 0
    assert step.subject == "takehome:7" and step.clock == "takehome"
    assert step.key(3) == "c3:takehome_overdue:takehome:7:20261119T090000:0"


def test_the_takehome_chain_waits_then_sends_once() -> None:
    before = clocks.plan_takehome(facts(), DUE - timedelta(minutes=1))
    assert before.send is None and before.next_at == DUE
    after = clocks.plan_takehome(facts(), DUE + timedelta(days=3))
    assert after.send is not None and after.send.repeat == 0 and after.next_at is None


@pytest.mark.parametrize("stage", [Stage.OFFER, Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN])
def test_no_takehome_alert_once_answered_or_past_decision(stage: Stage) -> None:
    assert clocks.takehome_steps(facts(answered=True)) == []
    assert clocks.takehome_steps(facts(stage=stage)) == []


# A new due time ------------------------------------------------------------------------------


async def change_due(
    app: Running, due: datetime, reason: str = "", *, user: str = RECRUITER
) -> Any:
    await click(app, await card(app), "Change due time…", user=RECRUITER)
    view = last_view(app)
    assert view["callback_id"] == "takehome_due"
    values: dict[str, Any] = {"due": due} | ({"reason": reason} if reason else {})
    response = await app.slack.submit_view(view, values, user=user)
    await app.settle()
    return response


@pytest.mark.both_databases
@built_once(setup)
async def test_a_new_due_time_moves_the_overdue_flag_and_is_in_the_history(
    app: Running, clock
) -> None:
    takehome = await send(app)  # due in 72 h
    later = takehome.due_at + timedelta(days=2)
    before = len(app.standin.calls)

    done = await change_due(app, later, "asked for the weekend")
    assert done.status_code == 200 and not done.content, done.text
    [confirmed] = [c.args for c in app.standin.calls[before:] if c.method == "chat.postMessage"]
    assert confirmed["text"].startswith("Jane Doe's take-home is now due")
    assert (await stored(app, Takehome))[-1].due_at == later
    shown = blocks_text((await card(app, HM))["blocks"])
    assert "(5 days left)" in shown
    assert f"take-home due {when(later)} instead of {when(later - timedelta(days=2))}" in shown
    assert "asked for the weekend" in shown

    # The old due time passes quietly; the new one flags it once.
    clock.set(takehome.due_at + timedelta(hours=1))
    await app.sweeper.run(clock.now())
    assert digest_lines(app, RECRUITER) == []
    clock.set(later + timedelta(minutes=1))
    await app.sweeper.run(clock.now())
    assert len(digest_lines(app, RECRUITER)) == 1


@pytest.mark.both_databases
@built_once(setup)
async def test_a_take_home_already_overdue_gets_a_new_due_time_and_flags_again(
    app: Running, clock
) -> None:
    takehome = await send(app)
    clock.set(takehome.due_at + timedelta(hours=1))
    await app.sweeper.run(clock.now())
    assert len(digest_lines(app, RECRUITER)) == 1

    # Its form opens a day from now, since the due time has passed.
    await click(app, await card(app), "Change due time…", user=RECRUITER)
    picker = {b.get("block_id"): b for b in last_view(app)["blocks"]}["due"]["element"]
    assert picker["initial_date_time"] == int((clock.now() + timedelta(days=1)).timestamp())
    assert not (await change_due(app, clock.now() + timedelta(days=1))).content
    clock.advance(timedelta(days=1, minutes=1))
    await app.sweeper.run(clock.now())
    assert len(digest_lines(app, RECRUITER)) == 2


@built_once(setup)
async def test_bad_same_or_stale_due_times_are_refused_on_the_form(app: Running, clock) -> None:
    takehome = await send(app)
    await click(app, await card(app), "Change due time…", user=RECRUITER)
    form = last_view(app)

    async def submit(values: dict[str, Any], user: str = RECRUITER) -> dict[str, Any]:
        return dict((await app.slack.submit_view(form, values, user=user)).json())

    past = await submit({"due": clock.now() - timedelta(hours=1), "reason": "x" * 501})
    assert set(past["errors"]) == {"due", "reason"}
    assert (await submit({"due": takehome.due_at}))["errors"] == {"due": takehome_cases.SAME_DUE}
    outsider = await submit({"due": takehome.due_at + timedelta(days=1)}, user=OUTSIDER)
    assert list(outsider["errors"]) == ["due"]

    # Someone else moves it while this form is open: this one is out of date.
    assert not (await change_due(app, takehome.due_at + timedelta(days=1))).content
    stale = await submit({"due": takehome.due_at + timedelta(days=3)})
    assert stale["errors"] == {"due": takehome_cases.DUE_CHANGED_MEANWHILE}
    assert (await stored(app, Takehome))[-1].due_at == takehome.due_at + timedelta(days=1)


@built_once(setup)
async def test_once_received_the_due_time_is_not_offered_nor_changed(app: Running) -> None:
    takehome = await send(app)
    await click(app, await card(app), "Change due time…", user=RECRUITER)
    form = last_view(app)
    await receive(app)

    assert "Change due time…" not in blocks_text((await card(app))["blocks"])
    late = await app.slack.submit_view(
        form, {"due": takehome.due_at + timedelta(days=1)}, user=RECRUITER
    )
    assert "already recorded as received" in late.json()["errors"]["due"]


# Other graders -------------------------------------------------------------------------------

GRADER_2 = "UGRD0002"


async def change_graders(app: Running, graders: tuple[str, ...]) -> Any:
    await click(app, await card(app), "Change graders…", user=RECRUITER)
    view = last_view(app)
    assert view["callback_id"] == "takehome_graders"
    response = await app.slack.submit_view(view, {"graders": list(graders)}, user=RECRUITER)
    await app.settle()
    return response


async def graders_of(app: Running) -> list[str]:
    async with app.deps.db.reader() as session:
        rows = (await session.exec(select(TakehomeGrader))).all()
    return sorted(r.grader_id for r in rows)


@pytest.mark.both_databases
@built_once(setup)
async def test_graders_changed_before_it_is_in_get_it_when_it_is(app: Running) -> None:
    await send(app)  # Gita and Ana
    before = len(app.standin.calls)

    done = await change_graders(app, (GRADER, GRADER_2))
    assert not done.content, done.text
    assert await graders_of(app) == [GRADER, GRADER_2]
    assert dms_to(app, GRADER_2) == dms_to(app, INTERVIEWER) == []  # nothing to grade yet
    shown = blocks_text((await card(app, HM))["blocks"])
    assert f"take-home graders: added <@{GRADER_2}>; took off <@{INTERVIEWER}>" in shown
    confirmed = [
        c.args["text"] for c in app.standin.calls[before:] if c.method == "chat.postMessage"
    ]
    assert confirmed == [
        f"Jane Doe's take-home graders: added <@{GRADER_2}>; took off <@{INTERVIEWER}>."
    ]

    await receive(app)
    assert len(dms_to(app, GRADER_2, "Take-home to grade")) == 1
    assert dms_to(app, INTERVIEWER, "Take-home to grade") == []


@pytest.mark.both_databases
@built_once(setup)
async def test_a_grader_taken_off_a_received_take_home_completes_the_feedback(
    app: Running,
) -> None:
    interview = await schedule(app, "Jane", plan="incident", interviewers=(INTERVIEWER,))
    await submit_scorecard(app, interview, INTERVIEWER)  # the interviews' part is in
    await send(app)
    await receive(app)
    await grade(app, GRADER, "3")
    before = len(app.standin.calls)

    # Ana is away: a new grader is added, and Ana taken off.
    assert not (await change_graders(app, (GRADER, GRADER_2))).content
    [added] = [m for m in dms_to(app, GRADER_2) if m["text"].startswith("Take-home to grade")]
    assert "Grade" in buttons(added["blocks"])
    [told] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == INTERVIEWER
    ]
    assert told["text"].startswith("You no longer grade Jane Doe's take-home")
    [dm] = dms_to(app, INTERVIEWER, "Take-home to grade")
    [refused] = await click(app, dm, "Grade", user=INTERVIEWER)
    assert "graded by others" in refused.args["text"]
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is None  # Gita 2 waits

    # Taking the last grader awaited off completes the loop, as their grade would have.
    before = len(app.standin.calls)
    assert not (await change_graders(app, (GRADER,))).content
    assert (await candidate_named(app, "Jane Doe")).feedback_complete_at is not None
    summaries = [
        c.args["channel"]
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["text"].startswith("All scorecards for Jane")
    ]
    assert sorted(summaries) == sorted([RECRUITER, HM])
    # Every grader has graded: nothing left to change.
    assert "Change graders…" not in buttons((await card(app))["blocks"])


@built_once(setup)
async def test_graders_who_graded_stay_and_bad_or_stale_forms_change_nothing(
    app: Running,
) -> None:
    await send(app)
    await receive(app)
    await grade(app, GRADER, "3")
    await click(app, await card(app), "Change graders…", user=RECRUITER)
    form = last_view(app)

    async def submit(graders: list[str], user: str = RECRUITER) -> dict[str, Any]:
        return dict((await app.slack.submit_view(form, {"graders": graders}, user=user)).json())

    kept = await submit([INTERVIEWER])
    assert kept["errors"]["graders"].startswith("Someone you took off has graded it already")
    assert (await submit([]))["errors"] == {"graders": "Pick at least one grader."}
    same = await submit([GRADER, INTERVIEWER])
    assert same["errors"] == {"graders": takehome_cases.SAME_GRADERS}
    assert list((await submit([GRADER, GRADER_2], user=OUTSIDER))["errors"]) == ["graders"]

    assert not (await change_graders(app, (GRADER, INTERVIEWER, GRADER_2))).content
    stale = await submit([GRADER])
    assert stale["errors"] == {"graders": takehome_cases.GRADERS_CHANGED_MEANWHILE}
    assert await graders_of(app) == sorted([GRADER, INTERVIEWER, GRADER_2])


@built_once(setup)
async def test_an_interviewer_who_does_not_grade_is_not_told_to_grade_first(
    app: Running,
) -> None:
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER_2,))
    await send(app, graders=(GRADER,))
    await receive(app)
    shown = blocks_text((await card(app, user=INTERVIEWER_2))["blocks"])
    assert "Its grades show to its graders and the hiring team." in shown
    assert "once you have graded it yourself" not in shown


@built_once(setup)
async def test_no_second_take_home_while_the_first_is_being_graded(app: Running) -> None:
    """The card shows the latest take-home only: one sent while another is still being
    graded would hide that grading. Send waits for its grades."""
    await send(app, graders=(GRADER,))
    await receive(app)
    grading = await card(app)
    assert "Send take-home" not in buttons(grading["blocks"])
    [said] = await flows.press(
        app,
        "takehome_send_open",
        str((await stored(app, Takehome))[-1].candidate_id),
        user=RECRUITER,
    )
    assert said.args["text"].startswith("Jane Doe's take-home is still being graded")

    await grade(app, GRADER, "3")
    assert "Send take-home" in buttons((await card(app))["blocks"])


@pytest.mark.both_databases
@built_once(setup)
async def test_a_grader_finds_the_candidate_and_the_team_s_note_stays_the_team_s(
    app: Running,
) -> None:
    """Someone picked only to grade asks where the candidate stands and gets the card (the
    README sends them there to grade again); the send form's note is "for the team", so
    neither they nor an interviewer see it."""
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER_2,))
    await send(app, graders=(GRADER,), note="She asked for more time: competing offer")
    await receive(app)

    theirs = await card(app, user=GRADER)
    shown = blocks_text(theirs["blocks"])
    assert "*Take-home*" in shown and "competing offer" not in shown, shown
    assert "Its ratings show to its interviewers and the hiring team." in shown
    await click(app, theirs, "Grade", user=GRADER)
    assert last_view(app)["callback_id"] == "takehome_grade"
    await grade(app, GRADER, "3")
    assert "Edit my grade" in flows.buttons((await card(app, user=GRADER))["blocks"])
    assert "competing offer" not in blocks_text((await card(app, user=INTERVIEWER_2))["blocks"])
    assert "competing offer" in blocks_text((await card(app))["blocks"])
    # Not someone the take-home never named.
    refused = await app.slack.command("status Jane", user=INTERVIEWER)
    assert "couldn't find" in refused.text


@built_once(setup)
async def test_the_history_has_each_interview_booked_and_the_take_home_s_steps(
    app: Running,
) -> None:
    """`/hire history` promised interviews booked; a second booking, and a take-home sent
    and received, left no line at all."""
    await schedule(app, "Jane Doe", interviewers=(INTERVIEWER_2,))
    await schedule(app, "Jane Doe", plan="audit", interviewers=(INTERVIEWER,))
    await send(app, graders=(GRADER,))
    await receive(app)

    shown = blocks_text(answer(await app.slack.command("history Jane", user=RECRUITER))["blocks"])
    assert (
        "Production incident interview booked for " in shown and f"with <@{INTERVIEWER_2}>" in shown
    )
    assert "Pipeline and tooling audit booked for " in shown
    assert "take-home sent, due " in shown and f"graders <@{GRADER}>" in shown
    assert "take-home received" in shown


@built_once(setup)
async def test_nudge_interviewers_reminds_a_grader_who_has_not_graded(app: Running, clock) -> None:
    """Every scorecard in, the take-home received and one grade missing: Nudge answered
    "Every scorecard for Chloe Nguyen is in." and reminded nobody, and grading has no
    clock of its own, so nothing ever chased it."""
    interview = await schedule(app, "Jane", plan="incident", interviewers=(INTERVIEWER,))
    clock.advance(timedelta(days=2))
    await submit_scorecard(app, interview)
    await send(app, graders=(GRADER,))
    await receive(app)
    before = len(app.standin.calls)

    [answered] = await click(app, await card(app, user=HM), "Nudge interviewers", user=HM)

    assert answered.args["text"] == f"Nudged <@{GRADER}> about Jane Doe.", answered.args
    [reminder] = [
        c.args
        for c in app.standin.calls[before:]
        if c.method == "chat.postMessage" and c.args["channel"] == GRADER
    ]
    assert reminder["text"] == "Your grade of Jane Doe's take-home is still to come."
    assert f"<@{HM}> asked me to remind you." in blocks_text(reminder["blocks"])
    assert "Grade" in buttons(reminder["blocks"])
    [again] = await click(app, await card(app, user=HM), "Nudge interviewers", user=HM)
    assert "was nudged by you just now" in again.args["text"], again.args["text"]
    await grade(app, GRADER, "3")
    assert "Nudge interviewers" not in buttons((await card(app, user=HM))["blocks"])


@built_once(setup)
async def test_a_grade_owed_with_no_interview_can_be_chased_from_the_card(app: Running) -> None:
    """Chloe was in screening with her take-home received and two grades owed: the card
    listed them as grading, but the Nudge button lived only among interviews, and she
    had none."""
    await app.slack.command("move Jane Doe to screening", user=RECRUITER)
    await send(app, graders=(GRADER,))
    await receive(app)
    before = len(app.standin.calls)

    [answered] = await click(app, await card(app, user=HM), "Nudge graders", user=HM)

    assert answered.args["text"] == f"Nudged <@{GRADER}> about Jane Doe.", answered.args
    assert dms_to(app, GRADER, "Your grade of Jane Doe's take-home")
    assert len([c for c in app.standin.calls[before:] if c.args.get("channel") == GRADER]) == 1
    interviewer = await card(app, user=INTERVIEWER)
    assert "Nudge graders" not in buttons(interviewer.get("blocks", []))
