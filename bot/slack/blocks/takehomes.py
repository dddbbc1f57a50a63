"""Take-home views: the send modal, the status card's take-home section, the received
modal, the grader's DM with the rubric, the grading modal, and the summary's grades."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DateTimePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UrlInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import access
from bot.domain.limits import MAX_REASON, MAX_TAKEHOME_NOTE
from bot.domain.scorecards import NOT_ASSESSED, TakehomePart, TakehomeSpec, rating_label
from bot.domain.stages import SCHEDULABLE
from bot.domain.zones import in_utc
from bot.slack.blocks.common import (
    clip,
    context,
    duration,
    esc,
    form_modal,
    header_facts,
    note_mention,
    primary_button_row,
    rating_cell,
    rating_inputs,
    ratings_table,
    section,
    signals,
    summary_input,
    user,
    when,
)
from bot.slack.metadata import (
    CandidateMetadata,
    TakehomeDueMetadata,
    TakehomeGradersMetadata,
    TakehomeMetadata,
)
from bot.store.tables import Candidate, Role, Takehome
from bot.usecases.candidates import CandidateCard
from bot.usecases.takehomes import (
    OPEN_TO_TAKEHOMES,
    GradeContext,
    Graded,
    GradersChanged,
    GradeView,
    Moved,
    Recorded,
    Sent,
    TakehomeView,
)

# Modals (callback ids), handled in handlers/views.py.
SEND = "takehome_send"
RECEIVED = "takehome_received"
GRADE = "takehome_grade"
# Buttons (action ids), handled in handlers/actions.py.
OPEN_SEND = "takehome_send_open"
OPEN_RECEIVED = "takehome_received_open"
NOT_RECEIVED = "takehome_not_received"
OPEN_GRADE = "takehome_grade_open"
OPEN_DUE = "takehome_due_open"
DUE = "takehome_due"
OPEN_GRADERS = "takehome_graders_open"
GRADERS = "takehome_graders"

INDEPENDENT = "Your grade is independent: you see others' grades only after you submit yours."


def _graders(count: int) -> str:
    return "graded by one grader" if count == 1 else f"graded by {count} graders"


def _shape(spec: TakehomeSpec) -> str:
    parts = ", ".join(p.name for p in spec.parts)
    return f"about {spec.hours} h of work, in {len(spec.parts)} parts ({parts})"


def _links(spec: TakehomeSpec) -> str:
    return "\n".join(f"• <{link}>" for link in spec.links)


# Send ----------------------------------------------------------------------------------------


def send_modal(card: CandidateCard, spec: TakehomeSpec, *, now: datetime) -> View:
    """Who grades it, when it is due (default: now + the template's window), a note."""
    default_due = int(now.timestamp()) + spec.window_hours * 3600
    blocks: list[Block] = [
        section(
            clip(
                f"*{esc(card.candidate.name)}* · {esc(card.role.title)}\n"
                f"The take-home: {esc(_shape(spec))}.",
                3000,
            )
        ),
        context(clip(esc(spec.brief), 2000)),
        InputBlock(
            block_id="graders",
            label="Graders",
            hint="Each gets the brief, the rubric and a Grade button when the submission is in.",
            element=UserMultiSelectElement(action_id="value", placeholder="Pick people"),
        ),
        InputBlock(
            block_id="due",
            label="Submission due",
            hint=f"The candidate's deadline for it; the template's window is "
            f"{spec.window_hours} h.",
            element=DateTimePickerElement(action_id="value", initial_date_time=default_due),
        ),
        InputBlock(
            block_id="note",
            label="Note",
            optional=True,
            hint="For the team, e.g. how it was sent to the candidate.",
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=MAX_TAKEHOME_NOTE
            ),
        ),
    ]
    return form_modal(
        SEND,
        "Send take-home",
        "Send",
        blocks,
        metadata=CandidateMetadata(card.candidate.id or 0).encode(),
    )


def sent_note(sent: Sent) -> str:
    return (
        f":outbox_tray: Take-home sent to {sent.card.candidate.name}, due "
        f"{in_utc(sent.takehome.due_at)}."  # plain text: the card shows it in each zone
    )


# Received ------------------------------------------------------------------------------------


def received_modal(takehome: Takehome, candidate_name: str) -> View:
    return form_modal(
        RECEIVED,
        "Take-home received",
        "Record",
        metadata=TakehomeMetadata(takehome.id or 0).encode(),
        blocks=[
            section(
                f"The take-home of *{esc(candidate_name)}*, due {when(takehome.due_at)}. The "
                "graders get the link, the brief and the rubric."
            ),
            InputBlock(
                block_id="url",
                label="Submission link",
                hint="The repository or archive the candidate sent.",
                element=UrlInputElement(action_id="value", placeholder="https://"),
            ),
        ],
    )


def recorded_note(recorded: Recorded) -> str:
    name = recorded.card.candidate.name
    if recorded.takehome.status == "received":
        graders = ", ".join(note_mention(g) for g in recorded.grader_ids)
        return f":inbox_tray: {name}'s take-home is in; {graders} got it to grade."
    return f":heavy_minus_sign: {name}'s take-home is recorded as not received."


# A new due time ------------------------------------------------------------------------------


def due_modal(takehome: Takehome, candidate_name: str, *, now: datetime) -> View:
    """The due time again (the candidate asked for longer), and why: opens on the one it
    has, or a day from now once that has passed."""
    due = takehome.due_at if takehome.due_at > now else now + timedelta(days=1)
    return form_modal(
        DUE,
        "Take-home due time",
        "Save",
        metadata=TakehomeDueMetadata(takehome.id or 0, takehome.due_at).encode(),
        blocks=[
            section(
                f"The take-home of *{esc(candidate_name)}*, sent {when(takehome.sent_at)}, is due "
                f"{when(takehome.due_at)}."
            ),
            InputBlock(
                block_id="due",
                label="New due time",
                hint="The overdue flag waits for it; the graders are told nothing until "
                "it is received.",
                element=DateTimePickerElement(
                    action_id="value", initial_date_time=int(due.timestamp())
                ),
            ),
            InputBlock(
                block_id="reason",
                label="Why",
                optional=True,
                hint="Kept in the candidate's history, e.g. asked for the weekend.",
                element=PlainTextInputElement(action_id="value", max_length=MAX_REASON),
            ),
        ],
    )


def moved_note(moved: Moved) -> str:
    return (
        f":calendar: {moved.card.candidate.name}'s take-home is now due "
        f"{in_utc(moved.takehome.due_at)}."  # plain text: the card shows it in each zone
    )


# Other graders ---------------------------------------------------------------------------------


def graders_modal(takehome: Takehome, candidate_name: str, graders: list[str]) -> View:
    """Who grades it, filled in: add someone, take off someone who has not graded."""
    received = takehome.status == "received"
    when_told = (
        "Anyone added gets the link, the brief and the rubric now; anyone taken off is told."
        if received
        else "They get the link, the brief and the rubric when it is received."
    )
    return form_modal(
        GRADERS,
        "Take-home graders",
        "Save",
        metadata=TakehomeGradersMetadata(takehome.id or 0, tuple(graders)).encode(),
        blocks=[
            section(f"The take-home of *{esc(candidate_name)}*, sent {when(takehome.sent_at)}."),
            InputBlock(
                block_id="graders",
                label="Graders",
                hint=f"{when_told} Those who graded stay on: their grade counts.",
                element=UserMultiSelectElement(
                    action_id="value", placeholder="Pick people", initial_users=graders
                ),
            ),
        ],
    )


def graders_note(changed: GradersChanged) -> str:
    name = changed.card.candidate.name
    parts = []
    if changed.added:
        parts.append("added " + ", ".join(note_mention(g) for g in changed.added))
    if changed.removed:
        parts.append("took off " + ", ".join(note_mention(g) for g in changed.removed))
    return f":busts_in_silhouette: {name}'s take-home graders: " + "; ".join(parts) + "."


def ungrade_message(changed: GradersChanged) -> tuple[str, list[Block]]:
    """To a grader taken off a received take-home: its Grade button no longer opens."""
    text = (
        f"You no longer grade {changed.card.candidate.name}'s take-home "
        f"({changed.card.role.title}); its recruiters picked someone else."
    )
    return esc(text), [section(esc(text))]


# The status card --------------------------------------------------------------------------------


def _grade_line(part: TakehomePart, grade: GradeView) -> str:
    rated = grade.ratings.get(part.key)
    return f"{esc(part.name)} {rating_label(rated.rating if rated else NOT_ASSESSED)}"


def _grader_lines(view: TakehomeView, viewer_id: str, *, closed: bool = False) -> list[str]:
    """`closed`: the candidate left the process, and grading with them."""
    lines = []
    for grade in view.graders:
        if grade.grade is None and closed:
            state = "not graded (grading closed)"
        elif grade.grade is None:
            state = "grading" if view.received else "will grade it"
        elif (view.show_grades or grade.grader_id == viewer_id) and view.spec is not None:
            edited = " (edited)" if grade.grade.version > 1 else ""
            state = f"graded{edited}: " + " · ".join(_grade_line(p, grade) for p in view.spec.parts)
        else:
            state = "graded"
        lines.append(f"{user(grade.grader_id)}: {state}")
    return lines


def _state_line(takehome: Takehome, now: datetime) -> str:
    sent = f"Sent {when(takehome.sent_at)} by {user(takehome.sent_by)}"
    if takehome.status == "sent":
        if takehome.due_at <= now:
            return (
                f"{sent}; :red_circle: due {when(takehome.due_at)}, overdue by "
                f"{duration(now - takehome.due_at)}"
            )
        return (
            f"{sent}; :hourglass_flowing_sand: due {when(takehome.due_at)} "
            f"({duration(takehome.due_at - now)} left)"
        )
    recorded = f"recorded by {user(takehome.recorded_by or '')}"
    if takehome.status == "received":
        assert takehome.recorded_at is not None
        link = f": <{takehome.submission_url}|submission>" if takehome.submission_url else ""
        return f"{sent}; received {when(takehome.recorded_at)}{link} ({recorded})"
    return f"{sent}; not received by {when(takehome.due_at)} ({recorded})"


def send_button(card: CandidateCard) -> ButtonElement:
    return ButtonElement(text="Send take-home", action_id=OPEN_SEND, value=str(card.candidate.id))


def takehome_blocks(
    view: TakehomeView | None,
    *,
    card: CandidateCard,
    viewer_id: str,
    can_send: bool,
    spec: TakehomeSpec | None,
    now: datetime,
) -> list[Block]:
    """The card's take-home section: where it stands, grades as the viewer may see them,
    and the buttons the viewer may use (`can_send`: the Send button is allowed now)."""
    if view is None:
        if not can_send or spec is None:
            return []
        return [
            SectionBlock(
                text=clip(f"*Take-home*\nNot sent yet: {esc(_shape(spec))}.", 3000),
                accessory=send_button(card),
            )
        ]
    takehome = view.takehome
    lines = [f"*Take-home*\n{_state_line(takehome, now)}"]
    if takehome.note and access.can_see_candidates(viewer_id, card.team):
        # The form says the note is for the team (often how the candidate asked for
        # more time, and why): an interviewer sees the take-home, not the team's note.
        lines.append(f"> {esc(clip(takehome.note, 300))}")
    # Grading closes once the candidate leaves decision (takehomes.OPEN_TO_TAKEHOMES).
    closed = card.stage not in SCHEDULABLE
    lines += _grader_lines(view, viewer_id, closed=closed)
    blocks: list[Block] = [section(clip("\n".join(lines), 3000))]
    if view.received and not view.show_grades:
        graders = {g.grader_id for g in view.graders}
        blocks.append(
            context(
                "Others' grades show here once you have graded it yourself."
                if viewer_id in graders
                else "Its grades show to its graders and the hiring team."
            )
        )
    # The use case refuses a stale click anyway; the card just offers no dead buttons.
    can_act = access.can_move_candidates(viewer_id, card.team) and card.stage in OPEN_TO_TAKEHOMES
    if view.open and can_act:
        blocks.append(
            ActionsBlock(
                block_id=f"takehome_{takehome.id}",
                elements=[
                    ButtonElement(
                        text="Received",
                        action_id=OPEN_RECEIVED,
                        value=str(takehome.id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Change due time…", action_id=OPEN_DUE, value=str(takehome.id)
                    ),
                    graders_button(takehome),
                    ButtonElement(
                        text="Not received",
                        action_id=NOT_RECEIVED,
                        value=str(takehome.id),
                        confirm=ConfirmObject(
                            title="Not received?",
                            text=f"Record that {esc(clip(card.candidate.name, 150))} did not "
                            "send the take-home?",
                            confirm="Record",
                            deny="Cancel",
                        ),
                    ),
                ],
            )
        )
    else:
        # Received with a grade still awaited: its graders may change; another may go out.
        elements = [graders_button(takehome)] if can_act and not view.complete else []
        if can_send:
            elements.append(send_button(card))
        mine = next((g for g in view.graders if g.grader_id == viewer_id), None)
        if mine is not None and view.received and view.spec is not None and not closed:
            # The grader's own way back to the form, as from their DM: to grade, or to edit.
            label = "Edit my grade" if mine.grade is not None else "Grade"
            elements.insert(
                0, ButtonElement(text=label, action_id=OPEN_GRADE, value=str(takehome.id))
            )
        if elements:
            blocks.append(ActionsBlock(elements=elements))
    return blocks


def graders_button(takehome: Takehome) -> ButtonElement:
    return ButtonElement(text="Change graders…", action_id=OPEN_GRADERS, value=str(takehome.id))


# The grader's DM ------------------------------------------------------------------------------


def _rubric(spec: TakehomeSpec) -> list[Block]:
    return [section(clip(f"*{esc(part.name)}*\n{signals(part)}", 3000)) for part in spec.parts]


def grader_message(recorded: Recorded) -> tuple[str, list[Block]]:
    """To each grader once the submission is in: the brief, the parts and their rubric."""
    candidate, role, takehome = recorded.card.candidate, recorded.card.role, recorded.takehome
    spec = recorded.spec
    assert spec is not None
    text = f"Take-home to grade: {esc(candidate.name)} ({esc(role.title)})"
    blocks: list[Block] = [
        *header_facts(
            f"Take-home to grade: {candidate.name}",
            [
                f"*Role*\n{esc(role.title)}",
                f"*Submission*\n<{takehome.submission_url}|open the submission>",
                f"*Sent*\n{when(takehome.sent_at)}",
                f"*Received*\n{when(takehome.recorded_at or takehome.sent_at)}",
            ],
        ),
        section(clip(f"*The brief* ({spec.hours} h)\n{esc(spec.brief)}", 3000)),
    ]
    if spec.links:
        blocks.append(context(clip(_links(spec), 2000)))
    blocks += [DividerBlock(), section("*Grade each part* against its signals:")]
    blocks += _rubric(spec)
    blocks.append(
        primary_button_row(
            block_id=f"takehome_grade_{takehome.id}",
            text="Grade",
            action_id=OPEN_GRADE,
            value=str(takehome.id),
        )
    )
    blocks.append(context(INDEPENDENT))
    return text, blocks


def grade_reminder(
    card: CandidateCard, takehome: Takehome, *, asked_by: str
) -> tuple[str, list[Block]]:
    """A grader's reminder, asked for by someone on the hiring team (Nudge interviewers):
    the take-home is in and their grade is not."""
    candidate = card.candidate
    text = f"Your grade of {esc(candidate.name)}'s take-home is still to come."
    received = takehome.recorded_at or takehome.sent_at
    line = (
        f":memo: {text}\n*{esc(candidate.name)}* ({esc(card.role.title)}): received "
        f"{when(received)}.\n{user(asked_by)} asked me to remind you."
    )
    button = ButtonElement(text="Grade", action_id=OPEN_GRADE, value=str(takehome.id))
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(line, 3000)), accessory=button)]


def to_grade_blocks(to_grade: Sequence[tuple[Takehome, Candidate, Role]], most: int) -> list[Block]:
    """Received take-homes waiting on the reader's grade, each with its Grade button (the
    one on their DM does the same), the oldest first; `most` of them, then how many more."""
    blocks: list[Block] = []
    for takehome, candidate, role in to_grade[:most]:
        received = takehome.recorded_at or takehome.sent_at
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{esc(candidate.name)}* ({esc(role.title)}) · received {when(received)}"
                ),
                accessory=ButtonElement(text="Grade", action_id=OPEN_GRADE, value=str(takehome.id)),
            )
        )
    if len(to_grade) > most:
        blocks.append(context(f"…and {len(to_grade) - most} more."))
    return blocks


# The grading modal --------------------------------------------------------------------------


def grade_modal(ctx: GradeContext) -> View:
    """One rating per part on the scorecard scale, optional evidence, and a summary."""
    takehome = ctx.takehome
    blocks: list[Block] = [
        section(
            f"*{esc(ctx.candidate.name)}* · {esc(ctx.role.title)}\nTake-home received "
            f"{when(takehome.recorded_at or takehome.sent_at)}: "
            f"<{takehome.submission_url}|open the submission>"
        ),
    ]
    current = ctx.current
    for part in ctx.spec.parts:
        mine = ctx.ratings.get(part.key)
        blocks += rating_inputs(
            part,
            evidence_placeholder="What in the submission shows it?",
            rating=mine.rating if mine else None,
            evidence=(mine.evidence or None) if mine else None,
        )
    blocks.append(DividerBlock())
    blocks.append(
        summary_input(
            "What the submission shows, and how it compares with the brief.",
            initial=current.summary if current else None,
        )
    )
    blocks.append(
        context(
            f"Your grade is in ({when(current.submitted_at)}): saving replaces it, and the "
            "team sees it was edited."
            if current
            else INDEPENDENT
        )
    )
    return form_modal(
        GRADE,
        "Edit your grade" if current else "Grade take-home",
        "Save" if current else "Submit",
        blocks,
        metadata=TakehomeMetadata(takehome.id or 0, current.version if current else 0).encode(),
    )


def graded_message(graded: Graded) -> tuple[str, list[Block]]:
    """The grader's confirmation; now theirs is in, the grades the others sent too."""
    name = graded.context.candidate.name
    text = (
        f"Your grade of {esc(name)}'s take-home is updated."
        if graded.edited
        else f"Your grade of {esc(name)}'s take-home is in. Thank you!"
    )
    blocks: list[Block] = [section(f":white_check_mark: {text}")]
    view = graded.view
    if view is not None and view.spec is not None:
        done = sum(1 for g in view.graders if g.submitted)
        lines = [f"*Grades so far* ({done} of {len(view.graders)})"]
        lines += [
            f"{user(g.grader_id)}: " + " · ".join(_grade_line(p, g) for p in view.spec.parts)
            for g in view.graders
            if g.submitted and view.show_grades
        ]
        blocks.append(section(clip("\n".join(lines), 3000)))
    return text, blocks


# The feedback-complete summary -------------------------------------------------------------


def summary_blocks(view: TakehomeView | None, names: Mapping[str, str]) -> list[Block]:
    """The take-home's grades beside the interviews' table: a part per row, a grader per
    column, the competency each part rates."""
    if view is None or not view.received or view.spec is None:
        return []
    graded = [g for g in view.graders if g.submitted]
    if not graded:
        return []
    table = ratings_table(
        [names.get(g.grader_id, g.grader_id) for g in graded],
        [(p.name, [rating_cell(g.ratings.get(p.key)) for g in graded]) for p in view.spec.parts],
    )
    link = view.takehome.submission_url or ""
    summaries = "\n".join(
        f"{user(g.grader_id)}: {esc(clip(g.grade.summary, 300))}" for g in graded if g.grade
    )
    return [
        section(f"*Take-home* (<{link}|submission>), {_graders(len(graded))}:"),
        section(f"```{clip(table, 2990)}```"),
        section(clip(summaries, 3000)),
    ]
