"""The candidate's deadline: its modal, and its lines on the status card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DateTimePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot.domain import clocks
from bot.domain.stages import Stage
from bot.domain.zones import in_utc
from bot.readmodels.status import ClockSummary
from bot.slack.blocks.common import context, esc, form_modal, section, when
from bot.slack.metadata import CandidateMetadata
from bot.usecases.candidates import CandidateCard
from bot.usecases.deadlines import MAX_REASON, DeadlineSet, DueMoved, stamp

SET_DEADLINE = "deadline_submit"
CLEAR = "clear"  # the value of the "Clear the deadline" checkbox


def deadline_modal(card: CandidateCard) -> View:
    candidate = card.candidate
    current = candidate.deadline_at
    blocks: list[Block] = [
        section(
            f"*{esc(candidate.name)}* · {esc(card.role.title)} · now in {candidate.stage}\n"
            "Loopkeeper moves the loop, scorecard, decision and offer deadlines earlier so "
            "the candidate can still say yes in time."
        ),
        InputBlock(
            block_id="deadline",
            label="Candidate decides by",
            # Both fields are needed to set one; only with Clear below may they be left
            # empty (checked on submit), so only then does the form mark them optional.
            optional=current is not None,
            element=DateTimePickerElement(
                action_id="value",
                initial_date_time=int(current.timestamp()) if current else None,
            ),
        ),
        InputBlock(
            block_id="reason",
            label="Reason",
            optional=current is not None,
            hint="A few words, e.g. competing offer, notice period. Kept in the history."
            + (" Not needed to clear it." if current is not None else ""),
            element=PlainTextInputElement(
                action_id="value",
                max_length=MAX_REASON,
                initial_value=candidate.deadline_reason or None,
                placeholder="competing offer",
            ),
        ),
    ]
    if current is not None:
        blocks.append(
            InputBlock(
                block_id="clear",
                label="Or",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[Option(value=CLEAR, text="Clear the deadline: normal clocks again")],
                ),
            )
        )
    return form_modal(
        SET_DEADLINE,
        "Candidate deadline",
        "Save",
        blocks,
        metadata=CandidateMetadata(candidate.id or 0, seen=stamp(candidate)).encode(),
    )


def offer_line(done: DeadlineSet, at: Callable[[datetime], str]) -> str:
    """What the change did to an offer in the candidate's stage, `at` writing its time:
    opened again, or still expired (it ran out at its own time, which a deadline does
    not give back)."""
    if done.offer_reopened is not None:
        return f" Their offer is open again: it expires {at(done.offer_reopened)}."
    if done.offer_expired is not None:
        return (
            f" Their offer is still expired (it ran out {at(done.offer_expired)}): "
            "*Extend 24h* or *Revise…* on their card gives it time."
        )
    return ""


def deadline_note(done: DeadlineSet, *, now: datetime) -> str:
    candidate = done.card.candidate
    reopened = offer_line(done, in_utc)
    if done.cleared or candidate.deadline_at is None:
        return f":white_check_mark: {candidate.name} has no deadline of their own now.{reopened}"
    note = (
        f":hourglass_flowing_sand: {candidate.name} decides by "
        f"{in_utc(candidate.deadline_at)}; the clocks now fit before it."
    )
    # A date this close leaves some clocks nowhere to fit: say which are past already, so
    # the alerts that follow at once are no surprise.
    limits = clocks.limits(candidate.deadline_at, clocks.of_role(done.card.role))
    stage = done.card.stage
    passed = [
        f"{words} ({in_utc(at)})"
        for words, at, applies in (
            ("the loop's end", limits.loop, stage == Stage.INTERVIEWING),
            ("the decision", limits.decision, stage in (Stage.INTERVIEWING, Stage.DECISION)),
        )
        if applies and at <= now
    ]
    if passed:
        gone = " and ".join(passed)
        note += f" So close that {gone} should have come already: the team is alerted now."
    return note + reopened


def due_moved_message(
    card: CandidateCard, moved: DueMoved, *, now: datetime
) -> tuple[str, list[Block]] | None:
    """To an interviewer whose scorecard the candidate's deadline made due at another time:
    their kit and lists said the old one. Why stays on the card, for whoever sees it.
    None when both times have passed: it was overdue and still is, and a "new" due time
    gone by is no news (their kit gives it)."""
    if moved.due <= now and moved.was <= now:
        return None
    name = card.candidate.name
    interview = f"(the interview of {when(moved.starts_at)})"
    if moved.due <= now:
        text = f"Your scorecard for {name} is now overdue."
        line = (
            f":hourglass_flowing_sand: Your scorecard for *{esc(name)}* {interview} is now "
            f"*overdue*: it was due {when(moved.was)}, and the candidate's own deadline "
            f"makes it due by {when(moved.due)}."
        )
        why = "The hiring team needs it as soon as you can: the candidate decides soon."
        return esc(text), [section(line), context(why)]
    sooner = moved.due < moved.was
    text = f"Your scorecard for {name} is now due {'earlier' if sooner else 'later'}."
    line = (
        f":hourglass_flowing_sand: Your scorecard for *{esc(name)}* {interview} is now due "
        f"*{when(moved.due)}*, instead of {when(moved.was)}."
    )
    why = (
        "The candidate has a deadline of their own, so the hiring team needs it sooner."
        if sooner
        else "The candidate's deadline changed, so there is more time."
    )
    return esc(text), [section(line), context(why)]


def deadline_lines(summary: ClockSummary, *, now: datetime, for_team: bool = True) -> list[str]:
    """The candidate's deadline and what it moved, for the clocks section of the card.
    The reason is blank for an interviewer's card (handlers.render), as the team's notes
    are; and not `for_team`, the date and which clocks it moved, but for the offer's: what
    the team should do about it (and that an offer can't outlast it) is the team's."""
    by = summary.candidate_deadline
    if by is None:
        return []
    reason = summary.deadline_reason
    lines = [
        f":stopwatch: *Candidate decides by {when(by)}*" + (f": {esc(reason)}" if reason else "")
    ]
    if for_team and by <= now:
        offer = any(d.clock == "offer" for d in summary.deadlines)
        lines.append(
            ":rotating_light: *Their own deadline has passed*: ask whether they are still "
            "deciding, then move or clear it"
            + (" (the offer can't be extended past it)." if offer else ".")
        )
    elif for_team and summary.at_risk:
        # The step their deadline holds soonest, else the loop's limit (before any
        # interview). Not the offer's: its own section says when it expires.
        soonest = next((d for d in summary.held if d.clock != "offer"), None)
        # Before any interview no clock of the loop runs yet: its limit is what counts.
        before_loop = not any(d.clock in ("loop", "decision", "offer") for d in summary.deadlines)
        loop_by = summary.loop_by
        step = (
            f"{esc(soonest.what)} by {when(soonest.at)}"
            if soonest is not None
            else ""
            if loop_by is None or not before_loop
            else f"the loop must end by {when(loop_by)}"
            if loop_by > now
            else f"the loop had to end by {when(loop_by)}: ask them for more time, "
            "and move their deadline"
        )
        lines.append(
            f":warning: *At risk of losing them*: they decide {when(by)}"
            + (f", so {step}." if step else ".")
        )
    if for_team and summary.booked_too_late and summary.loop_by is not None:
        booked = "; ".join(f"*{esc(name)}* {when(at)}" for name, at in summary.booked_too_late)
        # Once that time has passed, no earlier slot is left to move it to.
        fix = (
            "Reschedule it earlier, or decide without it."
            if summary.loop_by > now
            else "There is no earlier time left: decide without it, or ask the candidate "
            "for more time and move their deadline."
        )
        lines.append(
            f":warning: Booked too late for the loop to end by {when(summary.loop_by)}: "
            f"{booked}. {fix}"
        )
    # The offer's expiry is the team's.
    moved = [
        d.clock
        for d in summary.deadlines
        if d.moved_from is not None and (for_team or d.clock != "offer")
    ]
    if summary.scorecards_by is not None:
        moved.append("scorecards")
        lines.append(f"Scorecards now due by {when(summary.scorecards_by)} at the latest.")
    if moved:
        lines.append(f"Moved earlier to fit: {', '.join(moved)}.")
    return lines


def moved_suffix(moved_from: datetime | None) -> str:
    """After a deadline the candidate's deadline moved: where it was."""
    return f" (moved earlier from {when(moved_from)})" if moved_from else ""
