"""Interview views: the schedule modal, the interview kit, the scorecard modal, the
read-only scorecard, the pending list, and the loop summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import uuid4

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DateTimePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import access, clocks, safeguards
from bot.domain.days_off import label, runs
from bot.domain.interviews import InterviewStatus
from bot.domain.scorecards import Template, rating_label
from bot.domain.stages import SCHEDULABLE, Stage
from bot.domain.zones import local, local_span
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import (
    clip,
    context,
    duration,
    either,
    esc,
    form_modal,
    header_facts,
    initial_option,
    plural,
    rating_cell,
    rating_inputs,
    rating_options,
    ratings_table,
    section,
    sections,
    signals,
    summary_input,
    user,
    when,
)
from bot.slack.blocks.interview_changes import CANT_MAKE_IT, interview_accessory, interview_line
from bot.slack.blocks.takehomes import summary_blocks as takehome_summary_blocks
from bot.slack.metadata import CandidateMetadata, ScorecardMetadata
from bot.store.tables import Scorecard
from bot.usecases.candidates import CandidateCard, Released
from bot.usecases.feedback import (
    Assignment,
    InterviewView,
    Loop,
    NewInterview,
    Scheduled,
    ScorecardContext,
    ScorecardDetail,
    SeatView,
)

SCHEDULE = "interview_schedule"
SUBMIT_SCORECARD = "scorecard_submit"
READ_SCORECARD = "scorecard_read"

OPEN_SCORECARD = "scorecard_open"
VIEW_SCORECARD = "scorecard_view"


# Scheduling -------------------------------------------------------------------------------------


def schedule_modal(card: CandidateCard, template: Template) -> View:
    return _schedule_form(
        f"*{esc(card.candidate.name)}* · {esc(card.role.title)} · now in {card.candidate.stage}",
        template,
        # A one-time key: Slack may deliver a double click on Schedule twice.
        CandidateMetadata(card.candidate.id or 0, request=uuid4().hex),
    )


def schedule_warned_modal(
    tried: Scheduled,
    template: Template,
    form: NewInterview,
    metadata: CandidateMetadata,
    lines: list[str],
) -> View:
    """The same form, filled in as it was sent, with what booking it would warn about
    (`lines`, from warning_lines); sent as it is, it books (`metadata.confirmed`),
    changed, it is checked again."""
    stage = tried.moved_from or Stage(tried.candidate.stage)
    return _schedule_form(
        f"*{esc(tried.candidate.name)}* · {esc(tried.role.title)} · now in {stage.value}",
        template,
        replace(metadata, confirmed=form.key()),
        warned=before_you(
            lines,
            "book",
            "Change the time or the interviewers, or press *Schedule anyway* to book it as it is.",
        ),
        filled=form,
    )


def before_you(lines: list[str], verb: str, choice: str) -> list[Block]:
    """The warnings on top of a form sent back before anything changed (`lines`, from
    warning_lines): `Before you <verb>: N warnings.` and what the person may do."""
    return [
        section(f"*Before you {verb}: {plural(len(lines), 'warning')}.* {choice}"),
        *(section(clip(line, 3000)) for line in lines[:WARNINGS_SHOWN]),
        DividerBlock(),
    ]


# A form holds at most 100 blocks; a booking has at most a handful of warnings, one per
# interviewer at most for each kind.
WARNINGS_SHOWN = 20


def _schedule_form(
    head: str,
    template: Template,
    metadata: CandidateMetadata,
    *,
    warned: Sequence[Block] = (),
    filled: NewInterview | None = None,
) -> View:
    options = [
        Option(value=s.key, text=clip(f"{i}. {s.name} ({s.minutes} min)", 75))
        for i, s in enumerate(template.plan, 1)
    ]
    chosen = next((o for o in options if filled and o.value == filled.plan_stage), None)
    starts = filled.starts_at if filled else None
    blocks: list[Block] = [
        *warned,
        section(head),
        InputBlock(
            block_id="plan",
            label="Interview",
            hint="Which interview of the role's plan this is.",
            element=StaticSelectElement(
                action_id="value", placeholder="Pick one", options=options, initial_option=chosen
            ),
        ),
        InputBlock(
            block_id="interviewers",
            label="Interviewers",
            hint="Each gets the interview kit and a scorecard to fill in.",
            element=UserMultiSelectElement(
                action_id="value",
                placeholder="Pick people",
                initial_users=list(filled.interviewer_ids) if filled else None,
            ),
        ),
        InputBlock(
            block_id="starts",
            label="Starts at",
            element=DateTimePickerElement(
                action_id="value",
                initial_date_time=int(starts.timestamp()) if starts else None,
            ),
        ),
        InputBlock(
            block_id="minutes",
            label="Length (minutes)",
            optional=True,
            hint="Leave empty for the plan's length.",
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                min_value="10",
                max_value="480",
                initial_value=(filled.minutes or None) if filled else None,
            ),
        ),
    ]
    return form_modal(
        SCHEDULE,
        "Schedule interview",
        "Schedule anyway" if warned else "Schedule",
        blocks,
        metadata=metadata.encode(),
    )


# The loop's warnings: the candidate's own deadline, when it fires, says it instead.
LOOP_WARNINGS = (safeguards.LoopOverrun, safeguards.ScorecardsAfterLoop)
NUDGE = "alert_nudge"  # Nudge interviewers: on digests (bot.slack.blocks.alerts) and cards


def warning_lines(done: Scheduled, *, notes: bool = True) -> list[str]:
    """What the person who booked or moved the interview should know, one line each;
    without `notes`, only what a form stops for before it books (an interviewer's local
    hours are said after the booking, not asked about)."""
    warnings = _too_late(done)
    # The candidate's deadline is the tighter one whenever it fires: no second loop warning.
    squeezed = bool(warnings)
    return warnings + [
        _warning(done, w)
        for w in done.warnings
        if not (squeezed and isinstance(w, LOOP_WARNINGS))
        and (notes or not isinstance(w, safeguards.NOTES))
    ]


def scheduled_message(done: Scheduled) -> tuple[str, list[Block]]:
    warnings = warning_lines(done)
    # The notification counts what the form would have stopped for; the notes of
    # interviewers' local hours are below, not counted as warnings.
    counted = len(warning_lines(done, notes=False))
    text = f"Scheduled {esc(done.stage.name)} with {esc(done.candidate.name)}."
    if counted:
        text += f" {plural(counted, 'warning')}: see below."
    lines = [
        f":calendar: Scheduled *{esc(done.stage.name)}* with *{esc(done.candidate.name)}* "
        f"({esc(done.role.title)}) for {when(done.interview.starts_at)}.",
        f"Interviewers: {', '.join(user(u) for u in done.interviewer_ids)}; each got the kit.",
    ]
    if done.moved_from is not None:
        lines.append(
            f"{esc(done.candidate.name)} moved from {done.moved_from.value} to interviewing."
        )
    lines += warnings
    return text, [section(clip("\n".join(lines), 3000))]


def change_warnings_message(done: Scheduled, *, moved: bool) -> tuple[str, list[Block]] | None:
    """After a reschedule (`moved`) or new interviewers, for the person who made the
    change: what they should know, as a new booking's confirmation says it; None when
    there is nothing to say."""
    warnings = warning_lines(done)
    if not warnings:
        return None
    stage, name = esc(done.stage.name), esc(done.candidate.name)
    what = "Moved" if moved else "New interviewers for"
    at = when(done.interview.starts_at)
    headline = f":calendar: {what} *{stage}* with *{name}*" + (
        f" to {at}." if moved else f", {at}."
    )
    counted = len(warning_lines(done, notes=False))
    said = f"{plural(counted, 'warning')}, see below" if counted else "where the interviewers are"
    return (
        f"{what} {stage} with {name}: {said}.",
        [section(clip("\n".join([headline, *warnings]), 3000))],
    )


def _warning(done: Scheduled, warning: safeguards.Warning) -> str:
    """One safeguard in plain words, and what the scheduler can do about it."""
    name, stage = esc(done.candidate.name), esc(done.stage.name)
    match warning:
        case safeguards.InThePast(starts_at=starts):
            return (
                f":warning: *In the past.* This interview starts {when(starts)}, which has "
                "passed: it is recorded as held, and its scorecards are due from its end. "
                "If the time is a slip, pick the real one."
            )
        case safeguards.LoopOverrun(loop_ends_at=loop_ends, ended=True):
            # "Look for an earlier slot" cannot help a loop already over.
            return (
                f":warning: *Past the loop's deadline.* {name}'s {done.role.loop_days}-day "
                f"loop ended {when(loop_ends)}, before this booking, and the team is alerted "
                "about it. Keep the interview if it is needed; moving them to decision (or "
                "rejecting) is what ends the loop."
            )
        case safeguards.LoopOverrun(loop_ends_at=loop_ends):
            return (
                f":warning: *Past the loop's deadline.* This interview ends "
                f"{when(done.interview.ends_at)}, after {name}'s {done.role.loop_days}-day "
                f"loop ends {when(loop_ends)}. Look for an earlier slot; if you keep this one, "
                "the team is alerted when the loop runs out."
            )
        case safeguards.ScorecardsAfterLoop(loop_ends_at=loop_ends, scorecards_due_at=due):
            return (
                f":information_source: *Scorecards due after the loop ends.* {name}'s "
                f"{done.role.loop_days}-day loop counts from when they entered interviewing "
                f"and ends {when(loop_ends)}; this interview's scorecards are due "
                f"{when(due)}. If the loop runs out while you wait for them, the team is "
                "alerted: an earlier slot avoids it."
            )
        case safeguards.PlanOverrun(repeated=True, planned=planned, held=held):
            more = (
                f" That makes {held} interviews; the plan has {planned}." if held > planned else ""
            )
            return (
                f":warning: *{stage} booked twice.* {name} already has one booked."
                f"{more} If this one replaces the other, cancel the other from the status card."
            )
        case safeguards.PlanOverrun(planned=planned, held=held):
            return (
                f":warning: *More interviews than the plan.* {name} now has {held} interviews; "
                f"the plan has {planned}. Cancel one from the status card if it is not needed."
            )
        case safeguards.Clash(interviewer_id=who, starts_at=starts, ends_at=ends):
            # Only when: the other candidate may be one the scheduler may not see.
            return (
                f":warning: *{user(who)} is already interviewing then:* another interview, "
                f"{when(starts)} to {when(ends)}. Check with them, or pick someone else."
            )
        case safeguards.OnDayOff(day=day, name=day_name, interviewer_ids=away):
            people = ", ".join(user(u) for u in away)
            named = f" ({esc(day_name)})" if day_name else ""
            return (
                f":warning: *On a company day off.* {label(day)}{named} is a day off where "
                f"{people} {'is' if len(away) == 1 else 'are'}. Check they can make it, "
                "or pick another day."
            )
        case safeguards.OnDayAway(day=day, interviewer_ids=away):
            people = ", ".join(user(u) for u in away)
            return (
                f":warning: *Away that day.* {people} {'is' if len(away) == 1 else 'are'} "
                f"away on {label(day)}. Check they can make it, or pick someone else."
            )
        case safeguards.UnderWay(starts_at=starts, interviewer_ids=gone):
            people = ", ".join(user(u) for u in gone)
            return (
                f":warning: *Under way.* This interview began {when(starts)}: {people}, taken "
                "off, can no longer send a scorecard for it. If they interviewed, keep them "
                "on and add the newcomer instead."
            )
        case safeguards.OutsideHours(interviewer_id=who, tz_name=tz, starts_at=s, ends_at=e):
            # Written in their zone, not a date token: each reader would see their own.
            return (
                f":clock3: *Outside {user(who)}'s working hours:* it is "
                f"{local_span(s, e, tz)} where they are. Check they can make it."
            )


def _too_late(done: Scheduled) -> list[str]:
    """A warning, not a refusal: the interview ends after the loop's latest end under the
    candidate's own deadline (the candidate may agree to wait; the scheduler decides)."""
    by = done.candidate.deadline_at
    limit = clocks.loop_too_late(by, clocks.of_role(done.role), done.interview.ends_at)
    if by is None or limit is None:
        return []
    reason = done.candidate.deadline_reason
    because = f" ({esc(reason)})" if reason else ""
    # Booked after that limit had passed, no earlier slot is left to look for.
    fix = (
        "There is no earlier time left: ask the candidate for more time and move their "
        "deadline, or decide without this interview."
        if limit <= done.interview.created_at
        else "Look for an earlier slot, or ask the candidate for more time."
    )
    return [
        f":warning: *Too late for {esc(done.candidate.name)}'s deadline.* This interview ends "
        f"{when(done.interview.ends_at)}, after {when(limit)}: the latest the loop can end "
        f"for a decision and an offer before they decide, {when(by)}{because}. {fix}"
    ]


def kit_message(
    done: Scheduled, *, tz_name: str | None, interviewer_id: str = ""
) -> tuple[str, list[Block]]:
    """The interviewer's kit: who, when in their own zone, what to probe, when feedback is
    due; and, when `done` was warned of it (feedback.with_local_warnings), that the interview
    falls on a company day off where this interviewer is, or on one of their own days
    away."""
    interview = done.interview
    days_off = [
        w
        for w in done.warnings
        if isinstance(w, safeguards.OnDayOff) and interviewer_id in w.interviewer_ids
    ]
    days_away = [
        w
        for w in done.warnings
        if isinstance(w, safeguards.OnDayAway) and interviewer_id in w.interviewer_ids
    ]
    # As the card and the interviewer's lists give it: the candidate's deadline may need
    # it sooner than the role's window.
    due = clocks.scorecard_due(
        done.feedback_due_at,
        done.candidate.deadline_at,
        clocks.of_role(done.role),
        interview.ends_at,
    )
    sooner = (
        [context("Due sooner than usual: the candidate has a deadline of their own.")]
        if due < done.feedback_due_at
        else []
    )
    text = (
        f"Interview kit: {esc(done.candidate.name)} ({esc(done.role.title)}), "
        f"{local(interview.starts_at, tz_name)}"
        + (" (a company day off where you are)" if days_off else "")
        + (" (a day you are away)" if days_away and not days_off else "")
    )
    blocks: list[Block] = [
        *header_facts(
            f"Interview kit: {done.candidate.name}",
            [
                f"*Role*\n{esc(done.role.title)}",
                f"*Interview*\n{esc(done.stage.name)}",
                f"*When*\n{local_span(interview.starts_at, interview.ends_at, tz_name)}",
                f"*Scorecard due*\n{local(due, tz_name)}",
            ],
        ),
        *sooner,
        context(esc(done.stage.description)),
        *(
            section(
                f":palm_tree: *On a company day off where you are:* {label(w.day)}"
                + (f" ({esc(w.name)})" if w.name else "")
                + ". It is booked all the same; if you can't make it, tell the recruiters "
                "with the button below."
            )
            for w in days_off
        ),
        *(
            section(
                f":palm_tree: *On a day you are away:* {label(w.day)}. It is booked all "
                "the same; if you can't make it, tell the recruiters with the button below."
            )
            for w in days_away
        ),
        *(
            section(
                f":alarm_clock: *Outside your working hours:* "
                f"{local_span(w.starts_at, w.ends_at, w.tz_name)} where you are. If that "
                "does not work for you, tell the recruiters with the button below."
            )
            for w in done.warnings
            if isinstance(w, safeguards.OutsideHours) and w.interviewer_id == interviewer_id
        ),
        DividerBlock(),
        section("*Probe these competencies* and rate each against its signals:"),
    ]
    for competency in done.competencies:
        blocks.append(
            section(
                clip(
                    f"*{esc(competency.name)}*: {esc(competency.description)}\n"
                    f"{signals(competency)}",
                    3000,
                )
            )
        )
    # Booked (or moved) to a time already begun: an interview held, to write up. No
    # reminder comes for it, and "I can't make it" would only be refused.
    held = any(isinstance(w, safeguards.InThePast) for w in done.warnings)
    buttons = [
        ButtonElement(
            text="Submit scorecard",
            action_id=OPEN_SCORECARD,
            value=str(interview.id),
            style="primary",
        )
    ]
    if not held:
        # Only the seat's holder gets this kit; the use case checks it is theirs.
        buttons.append(
            ButtonElement(text="I can't make it", action_id=CANT_MAKE_IT, value=str(interview.id))
        )
    blocks.append(ActionsBlock(block_id=f"kit_{interview.id}", elements=buttons))
    reminder = done.role.reminder_minutes
    if held:
        note = (
            "This interview has taken place: submit your scorecard. It is independent: you "
            "see others' ratings only after you submit yours."
        )
    elif interviewer_id and interviewer_id in done.cant_make_it:
        # Said, the recruiters were told: no reminder comes (clocks.reminder_step).
        note = (
            "You said you can't make it: the recruiters were told, and no reminder or "
            "nudge comes for it until they change the panel or the time."
        )
    else:
        before = f"I'll remind you {reminder} minutes before it starts. " if reminder else ""
        note = (
            f"{before}Your scorecard is independent: you see others' ratings only after you "
            "submit yours. Can't make it? Tell the recruiters with the button above."
        )
    blocks.append(context(note))
    return text, blocks


# The scorecard modal ----------------------------------------------------------------------------


def scorecard_modal(ctx: ScorecardContext, *, opened: datetime | None = None) -> View:
    current = ctx.current
    blocks: list[Block] = [
        section(
            f"*{esc(ctx.candidate.name)}* · {esc(ctx.role.title)}\n{esc(ctx.stage_name)}, "
            f"{when(ctx.interview.starts_at)}"
        ),
    ]
    if current is not None:
        blocks.append(
            context(
                f"You are editing version {current.version}, submitted "
                f"{when(current.submitted_at)}. Every version is kept."
            )
        )
    for competency in ctx.competencies:
        rated = ctx.ratings.get(competency.key)
        blocks += rating_inputs(
            competency,
            evidence_placeholder="What did they say or do?",
            rating=rated.rating if rated else None,
            evidence=rated.evidence if rated and rated.evidence else None,
        )
    overall = rating_options(with_not_assessed=False)
    blocks.append(DividerBlock())
    blocks.append(
        InputBlock(
            block_id="recommendation",
            label="Overall recommendation",
            element=StaticSelectElement(
                action_id="value",
                placeholder="Pick one",
                options=overall,
                initial_option=initial_option(overall, current.recommendation if current else None),
            ),
        )
    )
    blocks.append(
        summary_input(
            "What you saw, and why your recommendation.",
            initial=current.summary if current else None,
        )
    )
    return form_modal(
        SUBMIT_SCORECARD,
        "Edit scorecard" if current else "Scorecard",
        "Save" if current else "Submit",
        blocks,
        # The version this edit starts from (0: a first scorecard), checked on submit.
        metadata=ScorecardMetadata(
            ctx.interview.id or 0,
            base_version=current.version if current else 0,
            opened=int(opened.timestamp()) if opened else 0,
        ).encode(),
    )


def scorecard_saved_message(
    ctx: ScorecardContext, version: int, *, late: bool = False
) -> tuple[str, list[Block]]:
    verb = "updated" if version > 1 else "submitted"
    text = f"Your scorecard for {esc(ctx.candidate.name)} is {verb}. Thank you!"
    blocks: list[Block] = [section(f":white_check_mark: {text}")]
    if late:
        blocks.append(
            context(
                "The hiring team moved on while you were writing it; it is kept with the "
                "candidate's record all the same."
            )
        )
    return text, blocks


def scorecard_read_modal(detail: ScorecardDetail) -> View:
    scorecard = detail.scorecard
    edited = f" · edited, version {detail.versions}" if detail.versions > 1 else ""
    blocks: list[Block] = [
        section(
            f"*{esc(detail.candidate.name)}* · {esc(detail.role.title)}\n"
            f"{esc(detail.stage_name)} · by {user(scorecard.interviewer_id)} · "
            f"{when(scorecard.submitted_at)}{edited}"
        ),
        # The whole summary, as its writer wrote it: up to MAX_SUMMARY characters, more
        # once escaped than one section takes.
        *sections(f"*Overall: {rating_label(scorecard.recommendation)}*\n{esc(scorecard.summary)}"),
        DividerBlock(),
    ]
    for competency in detail.competencies:
        rated = detail.ratings.get(competency.key)
        line = f"*{esc(competency.name)}*: {rating_label(rated.rating if rated else 0)}"
        if rated and rated.evidence:
            line += f"\n{esc(clip(rated.evidence, 2000))}"
        blocks.append(section(clip(line, 3000)))
    return View(
        type="modal",
        callback_id=READ_SCORECARD,
        title="Scorecard",
        close="Close",
        blocks=blocks,
    )


# An interviewer's list ---------------------------------------------------------------------------


def _due(assignment: Assignment, now: datetime) -> str:
    left = assignment.feedback_due_at - now
    if left < timedelta(0):
        return f":red_circle: overdue by {duration(-left)}"
    return f"due {when(assignment.feedback_due_at)}"


def assignment_blocks(assignments: Sequence[Assignment], now: datetime) -> list[Block]:
    """Pending scorecards (Submit) first, then interviews still to come (no button: a
    scorecard opens once its interview has begun), then submitted ones (Edit) while
    still editable."""
    blocks: list[Block] = []
    for item in sorted(assignments, key=lambda a: (_group(a, now), a.feedback_due_at)):
        ahead = item.pending and item.starts_at > now
        if ahead and item.cant_make_it:
            # Still theirs until a recruiter fixes it: said, or it reads as a commitment.
            state = ":warning: you said you can't make it; the recruiters will fix it"
            button = None
        elif ahead:
            state, button = "its scorecard opens when it begins", None
        else:
            label = "Submit scorecard" if item.pending else "Edit scorecard"
            state = _due(item, now) if item.pending else ":white_check_mark: submitted"
            if item.pending and item.cant_make_it:
                # Over, and nobody changed the panel: owed all the same, which reads as a
                # mistake unless it says why.
                state += (
                    " · :warning: you said you can't make it and the panel was not changed: "
                    "if you did interview, send it; if not, tell the recruiters"
                )
            button = ButtonElement(
                text=label,
                action_id=f"{OPEN_SCORECARD}_{item.interview_id}",
                value=str(item.interview_id),
                style="primary" if item.pending else None,
            )
        blocks.append(
            SectionBlock(
                text=clip(
                    f"*{esc(item.candidate_name)}* · {esc(item.role_title)}\n"
                    f"{esc(item.stage_name)}, {when(item.starts_at)} · {state}",
                    3000,
                ),
                accessory=button,
            )
        )
    return blocks


def _group(item: Assignment, now: datetime) -> int:
    """0: to submit now; 1: its interview still to come; 2: submitted."""
    if not item.pending:
        return 2
    return 1 if item.starts_at > now else 0


def feedback_list_message(
    assignments: Sequence[Assignment],
    now: datetime,
    *,
    to_grade: Sequence[Block] = (),
    grades: int = 0,
) -> tuple[str, list[Block]]:
    """`to_grade`: the take-homes waiting on their grade, drawn (takehomes.to_grade_blocks);
    `grades`: how many they are. What is owed now comes first: scorecards to submit, then
    grades, then interviews to come and scorecards sent."""
    grading: list[Block] = (
        [context(f"*Take-homes to grade* ({grades})"), *to_grade] if to_grade else []
    )
    owed = f"{grades} take-home{'s' if grades != 1 else ''} to grade" if grades else ""
    if not assignments:
        text = "You have no scorecards to write. Interviews you are scheduled for will show here."
        if to_grade:
            text = f"You have no scorecards to write, and {owed or 'take-homes to grade'}."
        return text, [section(f"*{esc(text)}*"), *grading]
    groups = [[a for a in assignments if _group(a, now) == n] for n in range(3)]
    due, ahead, _ = groups
    if due:
        text = f"You have {len(due)} scorecard{'s' if len(due) != 1 else ''} to submit"
        text += f" and {owed}." if owed else "."
    elif ahead:
        text = "Nothing to submit yet: each scorecard opens when its interview begins."
        text += f" You have {owed}." if owed else ""
    else:
        text = "All your scorecards are in. You can still edit them until a decision is made."
        text += f" You have {owed}." if owed else ""
    headings = ("To submit", "Coming up", "Submitted, still editable")
    blocks: list[Block] = [section(f"*{esc(text)}*")]
    for n, (heading, items) in enumerate(zip(headings, groups, strict=True)):
        if items:
            blocks += [context(f"*{heading}* ({len(items)})"), *assignment_blocks(items, now)]
        if n == 0:
            blocks += grading  # owed now, as the scorecards to submit are
    # A message holds 50 blocks: the most urgent ones are shown first.
    return text, blocks[:50]


# The loop summary -------------------------------------------------------------------------------


Scored = list[tuple[int, InterviewView, SeatView]]


def _scored(loop: Loop) -> Scored:
    """Each scorecard in, with its interview and the interview's number among those with
    one (0 when all are of one interview: nothing to tell apart)."""
    scored = [(i, s) for i in loop.interviews for s in i.seats if s.scorecard is not None]
    numbers: dict[int, int] = {}
    for interview, _ in scored:
        numbers.setdefault(id(interview), len(numbers) + 1)
    several = len(numbers) > 1
    return [(numbers[id(i)] if several else 0, i, s) for i, s in scored]


def _table(loop: Loop, names: Mapping[str, str], scored: Scored) -> str:
    # With several interviews, a column is "1 Ines", its interview's number first (the
    # legend under the table names them): one person on two panels has two columns.
    heads = [
        (f"{n} " if n else "") + names.get(s.interviewer_id, s.interviewer_id) for n, _, s in scored
    ]
    seats = [s for _, _, s in scored]
    rows = [(c.name, [rating_cell(s.ratings.get(c.key)) for s in seats]) for c in loop.competencies]
    overall = [str(s.scorecard.recommendation) for s in seats if s.scorecard]
    return ratings_table(heads, [*rows, ("Recommendation", overall)])


def _labels(scored: Scored) -> Callable[[int, InterviewView], str]:
    """An interview's name in the recommendations and buttons: its stage, and its number
    from the table's legend when two interviews of the loop share a stage (a second
    round), which read alike otherwise."""
    counts = Counter(i.stage_name for i in {id(i): i for _, i, _ in scored}.values())

    def label(n: int, interview: InterviewView) -> str:
        name = interview.stage_name
        return f"{name} #{n}" if counts[name] > 1 else name

    return label


def _legend(scored: Scored) -> list[Block]:
    """Which interview each number of the table's columns is, when there are several."""
    shown: dict[int, InterviewView] = {}
    for n, interview, _ in scored:
        if n:
            shown.setdefault(n, interview)
    if not shown:
        return []
    return [
        context(
            clip(
                "Columns by interview: "
                + " · ".join(
                    f"{n} {esc(i.stage_name)} ({when(i.interview.starts_at)})"
                    for n, i in shown.items()
                ),
                3000,
            )
        )
    ]


def _all_scorecards(count: int) -> str:
    return {1: "The scorecard", 2: "Both scorecards"}.get(count, f"All {count} scorecards")


def loop_summary_message(
    loop: Loop,
    names: Mapping[str, str],
    *,
    decide_by: datetime,
    now: datetime,
    candidate_by: datetime | None = None,
) -> tuple[str, list[Block]]:
    """`candidate_by`: the candidate's own deadline, when it made the decision due
    sooner than the role's window (so soon, it may have passed already at `now`)."""
    candidate = loop.candidate
    sooner = (
        f", sooner than usual: {esc(candidate.name)} decides by {when(candidate_by)}"
        if candidate_by is not None
        else ""
    )
    count = sum(1 for s in loop.seats if s.scorecard is not None)
    text = f"All scorecards for {esc(candidate.name)} ({esc(loop.role.title)}) are in."
    said = (
        f"{_all_scorecards(count)} for "
        f"*{esc(candidate.name)}* ({esc(loop.role.title)}) "
        f"{'is' if count == 1 else 'are'} in. "
        + (
            f"The decision window is open: decide by {when(decide_by)}{sooner}."
            if decide_by > now
            else f":rotating_light: The decision is overdue already: it was due by "
            f"{when(decide_by)}{sooner}. Make an offer, or reject."
        )
    )
    return text, [
        HeaderBlock(text=clip(f"Feedback complete: {candidate.name}", 150)),
        # The card, to act on it (move, offer, reject) without typing /hire status.
        SectionBlock(
            text=MarkdownTextObject(text=clip(said, 3000)),
            accessory=card_button(candidate.id, key=candidate.id),
        ),
        *_loop_table(loop, names),
    ]


def loop_revised_message(
    loop: Loop,
    names: Mapping[str, str],
    *,
    editor_id: str,
    was: Scorecard,
    now: Scorecard,
    revision: Sequence[str] = (),
) -> tuple[str, list[Block]]:
    """To the hiring manager and recruiters: a scorecard changed after the summary they
    are deciding on went out. What changed, then the loop's table as it stands now."""
    candidate = loop.candidate
    if was.recommendation != now.recommendation:
        verdict = (
            f"recommendation *{rating_label(was.recommendation)}* → "
            f"*{rating_label(now.recommendation)}*"
        )
    else:
        verdict = f"still recommends *{rating_label(now.recommendation)}*"
    change = "; ".join([verdict, *(esc(words) for words in revision)])
    text = (
        f"{user(editor_id)} revised their scorecard for {esc(candidate.name)} "
        f"({esc(loop.role.title)}) after the feedback summary went out."
    )
    return text, [
        HeaderBlock(text=clip(f"Scorecard revised: {candidate.name}", 150)),
        section(clip(f"{text} Changed: {change}. The table below is as it stands now.", 3000)),
        *_loop_table(loop, names),
    ]


def _not_held(interviews: list[InterviewView]) -> str:
    """The interviews of the loop that did not take place: the feedback is complete
    without them, and whoever decides should know what is missing."""
    lines = [
        f"*{esc(i.stage_name)}* ({when(i.interview.starts_at)}): "
        + (
            "the candidate did not come"
            if i.interview.status == InterviewStatus.NO_SHOW
            else "cancelled"
        )
        # A scorecard written before the cancel stays in the feedback above.
        + (", its scorecards above as written" if any(s.scorecard for s in i.seats) else "")
        for i in interviews
    ]
    return (
        ":ghost: *Not held*: "
        + "; ".join(lines)
        + ". Rescheduling a no-show, or scheduling another interview, reopens the loop."
    )


def _loop_table(loop: Loop, names: Mapping[str, str]) -> list[Block]:
    """The loop's feedback: ratings table, recommendations, take-home grades, what nobody
    assessed, and a button for each scorecard."""
    scored = _scored(loop)
    label = _labels(scored)
    verdicts = "\n".join(
        f"{user(s.interviewer_id)}"
        + (f" ({esc(label(n, i))})" if n else "")
        + f": *{rating_label(s.scorecard.recommendation)}*"
        + (" (edited)" if s.edited else "")
        + ("" if s.on_panel else " (no longer on the panel)")
        for n, i, s in scored
        if s.scorecard
    )
    blocks: list[Block] = [
        section(f"```{clip(_table(loop, names, scored), 2990)}```"),
        *_legend(scored),
        context("Ratings: 4 strong yes · 3 yes · 2 no · 1 strong no · — not assessed"),
        section(clip(f"*Recommendations*\n{verdicts}", 3000)),
        *takehome_summary_blocks(loop.takehome, names),
    ]
    blind = loop.unassessed()
    if blind:
        names_ = ", ".join(esc(c.name) for c in blind)
        blocks.append(
            section(f":warning: *Nobody assessed:* {names_}. Plan for it in the debrief.")
        )
    if not_held := [i for i in loop.interviews if not i.held]:
        blocks.append(section(clip(_not_held(not_held), 3000)))
    buttons = [
        ButtonElement(
            text=clip(
                f"{names.get(s.interviewer_id, 'Scorecard')}'s scorecard"
                + (f" ({label(n, i)})" if n else ""),
                75,
            ),
            action_id=f"{VIEW_SCORECARD}_{s.scorecard.id}",
            value=str(s.scorecard.id),
        )
        for n, i, s in scored
        if s.scorecard
    ]
    for start in range(0, len(buttons), 25):  # an actions block holds 25 elements
        blocks.append(ActionsBlock(elements=buttons[start : start + 25]))
    return blocks


# The status card's interview section ------------------------------------------------------------


# Of a status card's 50 blocks (Slack's limit), what the interviews may take; the card's
# head, clocks, offer, take-home and buttons fit in the rest.
MAX_LOOP_BLOCKS = 30


def _nudge_button(loop: Loop, label: str) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=label, action_id=f"{NUDGE}_{loop.candidate.id}", value=str(loop.candidate.id)
            )
        ]
    )


def loop_blocks(loop: Loop, *, viewer_id: str, now: datetime) -> list[Block]:
    """Each interview with who, when and whose scorecard is in; ratings only if allowed.
    A long loop keeps its latest interviews whole and folds the earliest into one line,
    so the card always fits Slack's 50 blocks."""
    # In interviewing with nothing booked (imported there, or every interview called
    # off), the loop's days run with nothing to show for them: said, to the team.
    unbooked = (
        Stage(loop.candidate.stage) == Stage.INTERVIEWING
        and not any(item.held for item in loop.interviews)
        and access.can_see_candidates(viewer_id, loop.team)
    )
    nothing_booked = section(
        ":warning: *No interview is booked*, and the loop's days run all the same: book "
        "one with *Schedule interview*."
    )
    # The hiring team changes interviews from here (bot.usecases.interviews.change_refusal).
    may_change = access.can_move_candidates(viewer_id, loop.team) and (
        Stage(loop.candidate.stage) in SCHEDULABLE
    )
    if not loop.interviews:
        # A take-home's grade owed with no interview: grading has no clock, so this is
        # where it is chased (the same nudge as for scorecards).
        chase_grades = (
            [_nudge_button(loop, "Nudge graders")] if may_change and loop.grades_owed() else []
        )
        return [*([section("*Interviews*"), nothing_booked] if unbooked else []), *chase_grades]
    # Why an interview was cancelled, or why a colleague can't make it, is the hiring
    # team's: an interviewer sees what happened (as the card's history shows them).
    team = access.can_see_candidates(viewer_id, loop.team)
    drawn = [
        _interview_blocks(
            item, loop, viewer_id=viewer_id, now=now, may_change=may_change, team=team
        )
        for item in loop.interviews
    ]
    # The heading, the folded line, the ratings line (the nothing-booked line, the nudge).
    room = MAX_LOOP_BLOCKS - 4 - unbooked
    kept: list[list[Block]] = []
    for item_blocks in reversed(drawn):
        if sum(map(len, kept)) + len(item_blocks) > room:
            break
        kept.insert(0, item_blocks)
    # Scorecards out for interviews over: the team chases them from here too, not only
    # from the one digest that said so (the same nudge, NUDGE_AGAIN_AFTER apart).
    chase = may_change and (
        any(seat.cant_make_it_at is None for _, seat in loop.owed_over(now)) or loop.grades_owed()
    )
    nudge = _nudge_button(loop, "Nudge interviewers")
    blocks: list[Block] = [
        section("*Interviews*"),
        *([nothing_booked] if unbooked else []),
        *([nudge] if chase else []),
    ]
    folded = loop.interviews[: len(drawn) - len(kept)]
    if folded:
        submitted = sum(seat.submitted for item in folded for seat in item.seats)
        seats = sum(len(item.seats) for item in folded)
        blocks.append(
            context(
                f"{len(folded)} earlier interview{'s' if len(folded) != 1 else ''} not shown "
                f"here ({submitted} of {seats} scorecards in); the feedback summary lists "
                "every scorecard."
            )
        )
    blocks += [block for item_blocks in kept for block in item_blocks]
    if not loop.show_ratings:
        on_panel = any(seat.interviewer_id == viewer_id for seat in loop.seats)
        blocks.append(
            context(
                "Others' ratings show here once you have submitted your own scorecard."
                if on_panel
                # A take-home's grader who interviews nobody: there is no scorecard to send.
                else "Its ratings show to its interviewers and the hiring team."
            )
        )
    elif any(seat.submitted for seat in loop.seats):
        blocks.append(context(ratings_summary(loop)))
    return blocks


def _interview_blocks(
    item: InterviewView,
    loop: Loop,
    *,
    viewer_id: str,
    now: datetime,
    may_change: bool,
    team: bool,
) -> list[Block]:
    change = item.status_change
    line = interview_line(
        item.stage_name,
        item.interview,
        change.actor_id if change else None,
        change.reason if change and team else "",
    )
    menu = interview_accessory(item.interview, now=now) if may_change else None
    blocks: list[Block] = [SectionBlock(text=line, accessory=menu)]
    for seat in item.seats:
        button = None
        # A snooze moves a scorecard's due time, the candidate's own deadline may bring it
        # earlier: the card counts from the same time as the alerts.
        due = loop.due_of(item, seat)
        given = " (given more time)" if due > seat.feedback_due_at else ""
        if seat.scorecard is not None:
            state = "scorecard in" + (" (edited)" if seat.edited else "")
            if loop.show_ratings or seat.interviewer_id == viewer_id:
                state += f", recommends *{rating_label(seat.scorecard.recommendation)}*"
                button = ButtonElement(
                    text="View scorecard",
                    action_id=f"{VIEW_SCORECARD}_{seat.scorecard.id}",
                    value=str(seat.scorecard.id),
                )
            if not seat.on_panel:
                state += " · no longer on the panel"
        elif not item.held:
            state = "no scorecard due"
        elif Stage(loop.candidate.stage) not in SCHEDULABLE:
            # Scorecards close once the candidate leaves decision: none is owed, so none
            # is overdue (feedback.EDITABLE).
            state = f"no scorecard (closed in {loop.candidate.stage})"
        elif due < now:
            state = f":red_circle: scorecard overdue by {duration(now - due)}{given}"
        else:
            state = f"scorecard due {when(due)}{given}"
        if item.held and seat.scorecard is None and item.interview.starts_at > now:
            touched = safeguards.days_anywhere(item.interview.starts_at, item.interview.ends_at)
            away = sorted(loop.away.get(seat.interviewer_id, frozenset()) & touched)
            if away:  # the date itself: which one counts depends on where they are
                state += f" · :palm_tree: away {runs(away)}"
        if seat.cant_make_it_at is not None and item.held:
            own = team or seat.interviewer_id == viewer_id
            reason = seat.cant_make_it_reason if own else ""
            state += " · :warning: can't make it" + (
                f": {esc(clip(reason, 200))}" if reason else ""
            )
            if seat.proposals:
                state += f" · could do {either(seat.proposals)}"
        blocks.append(SectionBlock(text=f"{user(seat.interviewer_id)}: {state}", accessory=button))
    return blocks


def ratings_summary(loop: Loop) -> str:
    """Average rating per competency over the scorecards in, with how many rated it."""
    parts = []
    for competency in loop.competencies:
        values = [
            seat.ratings[competency.key].rating
            for seat in loop.seats
            if competency.key in seat.ratings and seat.ratings[competency.key].rating
        ]
        if values:
            parts.append(f"{esc(competency.name)} {sum(values) / len(values):.1f} ({len(values)})")
        else:
            parts.append(f"{esc(competency.name)} —")
    return clip("Average ratings (how many rated): " + " · ".join(parts), 2000)


def reopened_message(card: CandidateCard, reopened: Released) -> tuple[str, list[Block]]:
    """To someone told their feedback was no longer needed, once a move back into the
    process opens it again: it is wanted after all, with the button to send it."""
    name = card.candidate.name
    text = f"Your {reopened.what} for {name} is needed again."
    line = (
        f":memo: Your {esc(reopened.what)} for *{esc(name)}* ({esc(card.role.title)}) is "
        "needed again: the hiring team is deciding about them once more, so it is open."
    )
    if reopened.interview_id is None:  # a take-home's grade: its own DM has the button
        return esc(text), [section(f"{line} `/hire feedback` has it.")]
    button = ButtonElement(
        text="Submit scorecard",
        action_id=f"{OPEN_SCORECARD}_{reopened.interview_id}",
        value=str(reopened.interview_id),
        style="primary",
    )
    return esc(text), [SectionBlock(text=MarkdownTextObject(text=line), accessory=button)]
