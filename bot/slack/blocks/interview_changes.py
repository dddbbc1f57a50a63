"""Changing an interview after it is booked: the status card's interview menu, the forms
(reschedule, interviewers, cancel, can't make it), and what the people involved are told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DateTimePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    SectionBlock,
    UserMultiSelectElement,
)
from slack_sdk.models.blocks.basic_components import MarkdownTextObject
from slack_sdk.models.views import View

from bot.domain.interviews import InterviewStatus
from bot.domain.limits import MAX_REASON
from bot.domain.stages import Stage
from bot.domain.zones import local, local_span
from bot.slack.blocks.candidates import OPEN_MOVE, card_button
from bot.slack.blocks.common import (
    clip,
    context,
    either,
    esc,
    form_modal,
    section,
    user,
    users,
    when,
)
from bot.slack.metadata import InterviewMetadata
from bot.store.tables import Candidate, Interview
from bot.usecases.candidates import CalledOff, CandidateCard, Released
from bot.usecases.interviews import (
    CantMakeIt,
    Changed,
    InterviewContext,
    NewTime,
    Proposed,
    Verb,
    panel_key,
    proposed_times,
)

# Listeners in handlers/interview_changes.py.
MENU = "interview_menu"  # the card's overflow, one per interview: `interview_menu_<id>`
OPEN_RESCHEDULE = "interview_reschedule_open"  # buttons in DMs: value = the interview id
OPEN_PANEL = "interview_panel_open"
CANT_MAKE_IT = "interview_cant_open"  # on the kit

RESCHEDULE = "interview_reschedule"
CHANGE_PANEL = "interview_panel"
CANCEL = "interview_cancel"
NO_SHOW = "interview_no_show"
CANT_MAKE_IT_SUBMIT = "interview_cant"

_LABELS = {
    Verb.RESCHEDULE: "Reschedule",
    Verb.PANEL: "Change interviewers",
    Verb.CANCEL: "Cancel interview",
    Verb.NO_SHOW: "No-show (they did not come)",
}


def menu_value(verb: Verb, interview: Interview) -> str:
    """`verb:interview:version`: the version the card was drawn on goes with the click."""
    return f"{verb.value}:{interview.id}:{interview.version}"


def interview_accessory(
    interview: Interview, *, now: datetime
) -> OverflowMenuElement | ButtonElement | None:
    """What the hiring team may do with an interview from the card: a menu while it is
    held, Reschedule after a no-show, nothing once cancelled."""
    status = InterviewStatus(interview.status)
    if status == InterviewStatus.NO_SHOW:
        return ButtonElement(
            text="Reschedule",
            action_id=f"{OPEN_RESCHEDULE}_{interview.id}",
            value=str(interview.id),
        )
    if status != InterviewStatus.SCHEDULED:
        return None
    verbs = [Verb.RESCHEDULE, Verb.PANEL, Verb.CANCEL]
    if now >= interview.starts_at:  # a no-show is known once it should have started
        verbs.append(Verb.NO_SHOW)
    return OverflowMenuElement(
        action_id=f"{MENU}_{interview.id}",
        options=[Option(value=menu_value(v, interview), text=_LABELS[v]) for v in verbs],
    )


def interview_line(stage_name: str, interview: Interview, by: str | None, why: str) -> str:
    """The interview's line on the card: when, or what became of it and why."""
    status = InterviewStatus(interview.status)
    if status == InterviewStatus.SCHEDULED:
        return f"*{esc(stage_name)}*, {when(interview.starts_at)}"
    line = f"~{esc(stage_name)}~ {status.label}"
    if by:
        line += (
            f" (marked by {user(by)})" if status == InterviewStatus.NO_SHOW else f" by {user(by)}"
        )
    if why:
        line += f": {esc(clip(why, 300))}"
    return line


def _head(ctx: InterviewContext, at: datetime | None = None) -> Block:
    card = ctx.card
    return section(
        f"*{esc(card.candidate.name)}* · {esc(card.role.title)}\n"
        f"{esc(ctx.stage_name)}, {when(at or ctx.interview.starts_at)}"
    )


def _metadata(ctx: InterviewContext) -> str:
    return InterviewMetadata(ctx.interview.id or 0, ctx.interview.version).encode()


# The forms ------------------------------------------------------------------------------


def reschedule_modal(ctx: InterviewContext) -> View:
    """Opens on the first time an interviewer who can't make it proposed, if one did
    (the latest to say so), else on the interview's own time."""
    proposals = proposed_times(ctx.seats)
    start = proposals[-1][1][0] if proposals else ctx.interview.starts_at
    return _reschedule_form(ctx, _head(ctx), start, str(ctx.minutes), _metadata(ctx))


def reschedule_warned_modal(
    tried: Changed, form: NewTime, metadata: InterviewMetadata, warned: Sequence[Block]
) -> View:
    """The form again, filled in as it was sent, under what the move would warn about
    (`warned`); sent as it is (`metadata.confirmed`), it moves the interview."""
    ctx = tried.context
    return _reschedule_form(
        ctx,
        _head(ctx, at=tried.moved_from),
        form.starts_at or ctx.interview.starts_at,
        (form.minutes or "").strip() or None,
        replace(metadata, confirmed=form.key()).encode(),
        warned=warned,
        # The move (not made) clears who can't make it: their times as the form showed.
        proposed=tried.proposed,
    )


def _reschedule_form(
    ctx: InterviewContext,
    head: Block,
    start: datetime,
    minutes: str | None,
    metadata: str,
    *,
    warned: Sequence[Block] = (),
    proposed: Sequence[Proposed] | None = None,
) -> View:
    blocks: list[Block] = [*warned, head]
    proposals = proposed_times(ctx.seats) if proposed is None else proposed
    if proposals:
        blocks.append(
            context(
                " ".join(
                    f"{user(who)} can't make it and proposed {either(times)}."
                    for _, times, who in proposals
                )
            )
        )
    blocks += [
        InputBlock(
            block_id="starts",
            label="New start",
            element=DateTimePickerElement(
                action_id="value", initial_date_time=int(start.timestamp())
            ),
        ),
        InputBlock(
            block_id="minutes",
            label="Length (minutes)",
            optional=True,
            hint="Each interviewer's kit is updated; scorecards are due from the new end.",
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                min_value="10",
                max_value="480",
                initial_value=minutes,
            ),
        ),
    ]
    submit = "Reschedule anyway" if warned else "Reschedule"
    return form_modal(RESCHEDULE, "Reschedule interview", submit, blocks, metadata=metadata)


def panel_modal(ctx: InterviewContext) -> View:
    return _panel_form(ctx, ctx.interviewer_ids, _metadata(ctx))


def panel_warned_modal(
    tried: Changed, people: list[str], metadata: InterviewMetadata, warned: Sequence[Block]
) -> View:
    """The form again, with the people as they were sent, under what the change would
    warn about (`warned`); sent as it is (`metadata.confirmed`), it changes the panel."""
    return _panel_form(
        tried.context,
        people,
        replace(metadata, confirmed=panel_key(people)).encode(),
        warned=warned,
    )


def _panel_form(
    ctx: InterviewContext,
    people: list[str],
    metadata: str,
    *,
    warned: Sequence[Block] = (),
) -> View:
    blocks: list[Block] = [
        *warned,
        _head(ctx),
        InputBlock(
            block_id="interviewers",
            label="Interviewers",
            hint="Up to 6. New people get the kit; people you remove are told, and not "
            "nudged again. "
            "A scorecard already in stays.",
            element=UserMultiSelectElement(
                action_id="value", placeholder="Pick people", initial_users=people
            ),
        ),
    ]
    submit = "Save anyway" if warned else "Save"
    return form_modal(CHANGE_PANEL, "Change interviewers", submit, blocks, metadata=metadata)


def cancel_modal(ctx: InterviewContext, *, now: datetime | None = None) -> View:
    """`now`: an interview already over is said to be (one held, cancelled by mistake,
    loses the scorecards still being written for it)."""
    over = (
        [
            section(
                f":warning: *This interview took place* ({when(ctx.interview.starts_at)}). "
                "Cancelled, no more scorecards can be sent for it, including any being "
                "written now. If it did not go ahead, mark it a *no-show* instead (same "
                "menu); if it happened at another time, reschedule it to then."
            )
        ]
        if now is not None and ctx.interview.ends_at <= now
        else []
    )
    blocks: list[Block] = [
        _head(ctx),
        *over,
        InputBlock(
            block_id="reason",
            # Said in the label, not only the hint: the card and history keep reasons
            # from interviewers, so a recruiter may think this one stays with the team.
            label="Why is it cancelled? (sent to its interviewers)",
            hint="Its interviewers read it as written, so keep the team's reasons out; "
            "no scorecard is due for it.",
            element=PlainTextInputElement(
                action_id="value", max_length=MAX_REASON, placeholder="candidate asked to drop it"
            ),
        ),
    ]
    # "Cancel" beside "Cancel interview" would read as the same thing.
    return form_modal(
        CANCEL,
        "Cancel interview",
        "Cancel interview",
        blocks,
        metadata=_metadata(ctx),
        close="Keep it",
    )


def no_show_modal(ctx: InterviewContext, card_version: int) -> View:
    """A no-show undoes nothing by itself, so it is confirmed first; on the version the
    card showed, so a change made since is refused rather than overruled."""
    blocks: list[Block] = [
        _head(ctx),
        section(
            "Mark this interview a no-show? No scorecard will be due for it, each "
            "interviewer's kit will say so, and you can then reschedule it or reject "
            "the candidate."
        ),
        InputBlock(
            block_id="note",
            label="What happened?",
            optional=True,
            hint="Kept in the candidate's history and shown on their card.",
            element=PlainTextInputElement(
                action_id="value", max_length=MAX_REASON, placeholder="did not join the call"
            ),
        ),
    ]
    metadata = InterviewMetadata(ctx.interview.id or 0, card_version).encode()
    return form_modal(NO_SHOW, "Mark a no-show", "Mark no-show", blocks, metadata=metadata)


# The form's other times, after its first ("proposed"), in order.
MORE_PROPOSALS = (("proposed_2", "Or another time"), ("proposed_3", "Or a third"))
PROPOSAL_FIELDS = ("proposed", *(block_id for block_id, _ in MORE_PROPOSALS))


def cant_make_it_modal(interview: Interview, candidate: Candidate) -> View:
    blocks: list[Block] = [
        section(
            f"Your interview with *{esc(candidate.name)}*, {when(interview.starts_at)}. "
            "The recruiters will be told, and will change the panel or the time."
        ),
        InputBlock(
            block_id="reason",
            label="Reason",
            optional=True,
            element=PlainTextInputElement(
                action_id="value", max_length=MAX_REASON, placeholder="out sick"
            ),
        ),
        InputBlock(
            block_id="proposed",
            label="A time that works for you",
            optional=True,
            hint="The recruiters' Reschedule form opens on it.",
            element=DateTimePickerElement(action_id="value"),
        ),
        *(
            InputBlock(
                block_id=block_id,
                label=label,
                optional=True,
                element=DateTimePickerElement(action_id="value"),
            )
            for block_id, label in MORE_PROPOSALS
        ),
    ]
    return form_modal(
        CANT_MAKE_IT_SUBMIT,
        "Can't make it",
        "Tell the recruiters",
        blocks,
        metadata=InterviewMetadata(interview.id or 0, interview.version).encode(),
    )


# What people are told ---------------------------------------------------------------------


def _what(done: Changed) -> str:
    card = done.card
    return (
        f"{esc(done.context.stage_name)} with *{esc(card.candidate.name)}* ({esc(card.role.title)})"
    )


def moved_message(done: Changed, *, tz_name: str | None) -> tuple[str, list[Block]]:
    """To each interviewer after a reschedule: the new time only, in their own zone."""
    interview = done.interview
    span = local_span(interview.starts_at, interview.ends_at, tz_name)
    text = (
        f"Interview moved: {done.card.candidate.name} is now {local(interview.starts_at, tz_name)}"
    )
    return esc(text), [
        section(f":calendar: {_what(done)} is now *{span}*. Your kit shows the new time.")
    ]


def change_news(
    done: Changed, actor_id: str, *, cancelled: str | None = None
) -> tuple[str, list[Block]]:
    """To the recruiters, of a change to a booked interview someone else made (the hiring
    manager, an admin): they tell the candidate the time, so they must know it changed.
    `cancelled`: the cancellation's reason (the recruiters are the team: it may show)."""
    interview, card = done.interview, done.card
    who = user(actor_id)
    if cancelled is not None:
        text = f"{done.context.stage_name} with {card.candidate.name} is cancelled"
        line = (
            f":x: {who} cancelled {_what(done)}, set for {when(interview.starts_at)}"
            + (f": {esc(clip(cancelled, 300))}" if cancelled else "")
            + ". Let the candidate know."
        )
    elif done.added or done.removed:
        text = f"{done.context.stage_name} with {card.candidate.name}: the panel changed"
        changes = [f"added {users(done.added)}"] if done.added else []
        if done.removed:
            changes.append(f"took off {users([k.interviewer_id for k in done.removed])}")
        line = (
            f":busts_in_silhouette: {who} changed the interviewers of {_what(done)}, set for "
            f"{when(interview.starts_at)}: {'; '.join(changes)}."
        )
    else:
        text = f"{done.context.stage_name} with {card.candidate.name} moved"
        earlier = f" from {when(done.moved_from)}" if done.moved_from is not None else ""
        line = (
            f":calendar: {who} moved {_what(done)}{earlier} to "
            f"*{when(interview.starts_at)}*. Let the candidate know the new time."
        )
    return esc(text), [
        SectionBlock(
            text=MarkdownTextObject(text=clip(line, 3000)),
            accessory=card_button(card.candidate.id, key=card.candidate.id),
        )
    ]


def closed_kit(done: Changed, why: str) -> tuple[str, list[Block]]:
    """What a kit becomes when its interview is not the person's to do any more."""
    text = f"{done.context.stage_name} with {done.card.candidate.name}: {why}"
    return esc(text), [section(f":no_entry_sign: {_what(done)}: {esc(why)}")]


def off_panel_message(done: Changed) -> tuple[str, list[Block]]:
    """To each interviewer taken off the panel: a DM, as a reschedule or a cancellation
    gets, or they would turn up for it (their kit's edit, far up the DM, notifies nobody)."""
    text = f"You're off the panel: {done.context.stage_name} with {done.card.candidate.name}."
    line = (
        f":wave: You are no longer on the panel of {_what(done)}, set for "
        f"{when(done.interview.starts_at)}."
    )
    return esc(text), [section(line), context("Nothing more is due from you for it.")]


def cancelled_message(
    done: Changed, reason: str, *, scored: bool = False
) -> tuple[str, list[Block]]:
    """To each interviewer of a cancelled interview; `scored`: theirs is in already."""
    text = f"Interview cancelled: {done.context.stage_name} with {done.card.candidate.name}."
    lines = f":no_entry_sign: {_what(done)}, set for {when(done.interview.starts_at)}, is cancelled"
    lines += f": {esc(reason)}" if reason else "."
    after = (
        "The scorecard you sent for it stays with the candidate's feedback."
        if scored
        else "No scorecard is due for it."
    )
    return esc(text), [section(lines), context(after)]


def called_off_message(card: CandidateCard, off: CalledOff) -> tuple[str, list[Block]]:
    """To each interviewer of an interview still to come when its candidate left the
    process: it is off. How they left (rejected, withdrew, hired) stays with the team."""
    name = card.candidate.name
    text = f"Interview cancelled: {off.stage_name} with {name}."
    line = (
        f":no_entry_sign: {esc(off.stage_name)} with *{esc(name)}* ({esc(card.role.title)}), "
        f"set for {when(off.starts_at)}, is cancelled: {esc(name)} is no longer in the process."
    )
    return esc(text), [section(line), context("No scorecard is due for it.")]


def released_message(card: CandidateCard, released: Released) -> tuple[str, list[Block]]:
    """To someone who still owed feedback when the candidate left decision: it is closed,
    so they need not write it. Where the candidate went stays with the team."""
    text, closed = released_kit(card, released)
    if released.interview_id is not None:  # a scorecard: one being written is still taken
        return text, [
            *closed,
            context(
                "Thank you for the time you gave it. Writing it when this came? Send it all "
                "the same: it is kept with their record."
            ),
        ]
    return text, [*closed, context("Thank you for the time you gave it.")]


def released_kit(card: CandidateCard, released: Released) -> tuple[str, list[Block]]:
    """What the kit it was owed on becomes: the same words, its Submit button gone."""
    name = card.candidate.name
    text = f"No need to send your {released.what} for {name}."
    return esc(text), [
        section(
            f":lock: Your {esc(released.what)} for *{esc(name)}* ({esc(card.role.title)}) "
            "is no longer needed: the hiring team has moved on, so it is closed."
        )
    ]


def called_off_kit(card: CandidateCard, off: CalledOff) -> tuple[str, list[Block]]:
    """What the kit of such an interview becomes (its Submit button gone)."""
    name = card.candidate.name
    why = f"cancelled, as {name} is no longer in the process: no scorecard is due."
    what = f"{esc(off.stage_name)} with *{esc(name)}* ({esc(card.role.title)})"
    return esc(f"{off.stage_name} with {name}: {why}"), [
        section(f":no_entry_sign: {what}: {esc(why)}")
    ]


def no_show_prompt(done: Changed) -> tuple[str, list[Block]]:
    """To whoever marked the no-show: what next, as two buttons."""
    candidate = done.card.candidate
    text = f"{candidate.name} did not come to {done.context.stage_name}: reschedule, or reject?"
    buttons = [
        ButtonElement(
            text="Reschedule",
            action_id=OPEN_RESCHEDULE,
            value=str(done.interview.id),
            style="primary",
        ),
        ButtonElement(
            text="Reject",
            action_id=f"{OPEN_MOVE}_reject",
            value=f"{candidate.id}:{Stage.REJECTED.value}",
            style="danger",
        ),
    ]
    return esc(text), [
        section(
            f":ghost: *{esc(candidate.name)}* did not come to {esc(done.context.stage_name)}. "
            "No scorecards are due for it. Reschedule it, or reject them?"
        ),
        ActionsBlock(block_id=f"no_show_{done.interview.id}", elements=buttons),
    ]


def cant_make_it_alert(done: CantMakeIt, interviewer_id: str) -> tuple[str, list[Block]]:
    """To each recruiter, once: who can't make which interview, and the two fixes."""
    candidate = done.candidate
    text = f"An interviewer can't make {done.stage_name} with {candidate.name}."
    line = (
        f":warning: {user(interviewer_id)} can't make *{esc(done.stage_name)}* with "
        f"*{esc(candidate.name)}* ({when(done.interview.starts_at)})"
    )
    line += f": {esc(done.reason)}" if done.reason else "."
    if done.proposed:
        first = "it" if len(done.proposed) == 1 else "the first"
        line += f"\nThey could do {either(done.proposed)}: Reschedule opens on {first}."
    buttons = [
        ButtonElement(
            text="Change interviewers", action_id=OPEN_PANEL, value=str(done.interview.id)
        ),
        ButtonElement(text="Reschedule", action_id=OPEN_RESCHEDULE, value=str(done.interview.id)),
    ]
    return esc(text), [
        section(line),
        ActionsBlock(block_id=f"cant_{done.interview.id}", elements=buttons),
    ]


def cant_make_it_settled(
    interviewer_id: str, stage_name: str, candidate_name: str, how: str
) -> tuple[str, list[Block]]:
    """An "I can't make it" alert once a change settled it: what it was and what was
    done, its buttons gone. `how` is mrkdwn, escaped already (see settled_by)."""
    text = f"Sorted: an interviewer couldn't make {stage_name} with {candidate_name}."
    line = (
        f":white_check_mark: {user(interviewer_id)} couldn't make *{esc(stage_name)}* "
        f"with *{esc(candidate_name)}*: {how}"
    )
    return esc(text), [section(line)]


def settled_by(done: Changed, actor_id: str) -> str:
    """What the change that settled an alert did, for cant_make_it_settled."""
    status = InterviewStatus(done.interview.status)
    if status == InterviewStatus.CANCELLED:
        return f"{user(actor_id)} cancelled it."
    if status == InterviewStatus.NO_SHOW:
        return f"{user(actor_id)} marked it a no-show."
    if done.moved_from is not None:
        return f"{user(actor_id)} moved it to {when(done.interview.starts_at)}."
    return f"{user(actor_id)} changed the panel: now {users(k.interviewer_id for k in done.kits)}."


def cant_make_it_noted(done: CantMakeIt) -> str:
    """The person's own DM (text only, so escaped as a block's text would be)."""
    if not done.first:
        return "You already told the recruiters you can't make it; nothing more to do."
    what = f"{esc(done.stage_name)} with {esc(done.candidate.name)}"
    could = f", and that you could do {either(done.proposed)}" if done.proposed else ""
    return (
        f":ok_hand: Told the recruiters you can't make {what}{could}. "
        "They will change the panel or the time; until then no reminder or scorecard "
        "nudge comes to you for it."
    )


def changed_note(done: Changed) -> str:
    """The line above the card for the person who made the change."""
    name = done.context.stage_name
    status = InterviewStatus(done.interview.status)
    if status == InterviewStatus.CANCELLED:
        note = f":no_entry_sign: {name} cancelled; the interviewers were told."
    elif status == InterviewStatus.NO_SHOW:
        note = f":ghost: {name} marked a no-show; no scorecards are due for it."
    elif done.moved_from is not None:
        note = f":calendar: {name} moved; each interviewer's kit shows the new time."
    else:
        note = f":busts_in_silhouette: {name} has a new panel."
    if done.completed is not None:
        note += " Every scorecard is in: the summary went to the hiring team."
    return note
