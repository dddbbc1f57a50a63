"""The answers to `/hire away`: a person's days away ahead, and what a change did; said to
them (`who` None), or to a recruiter about someone else (`who` their user id)."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import Block, ButtonElement, MarkdownTextObject, SectionBlock

from bot.domain.days_off import MAX_SPAN, label, runs, span_label, spans
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import context, esc, fold, plural, section, user, users, when
from bot.slack.blocks.interview_changes import CANT_MAKE_IT
from bot.store.interviews import SeatRow
from bot.usecases.days_away import PANEL_LOOKBACK, PANEL_WEEKS, BookedAway, Panels

ADD_EXAMPLE = "`/hire away add 2026-12-24`"
RANGE_EXAMPLE = "`/hire away add 2026-12-24..2027-01-02`"
USAGE = (
    "`/hire away` lists your own days away (vacation, leave). Add one with "
    f"{ADD_EXAMPLE}, or a range of up to {MAX_SPAN} days with {RANGE_EXAMPLE}, and "
    "remove one with `/hire away remove 2026-12-24`. Recruiters and hiring managers "
    "name someone first for theirs: `/hire away @ivan add 2026-12-24`, and see who on "
    "their roles' interviews is away with `/hire away team`."
)
PICK_EXAMPLE = "`/hire away @ivan add 2026-12-24`"
WHAT_THEY_DO = (
    "Your scorecard nudges skip these days, in your own time zone, and wait until you "
    "are back; alerts that something is already overdue still go at once, and so does "
    "the reminder before an interview you are still booked for (press I can't make it "
    "on its kit if you won't be there). Whoever books an interview with you on one of "
    "them is warned that you are away."
)
NONE_SET = f"You have no days away set. Add one with {ADD_EXAMPLE}, or a range: {RANGE_EXAMPLE}."


def _whose(who: str | None) -> str:
    return "Your" if who is None else f"<@{who}>'s"


def _for(who: str | None) -> str:
    return "you" if who is None else f"<@{who}>"


def days_away_message(days: list[date], who: str | None = None) -> tuple[str, list[Block]]:
    if not days:
        if who is None:
            return NONE_SET, [section(NONE_SET), context(WHAT_THEY_DO)]
        # Not the mention inside the code span: Slack shows one there as its raw token.
        none = f"<@{who}> has no days away set. Add one with `/hire away @name add 2026-12-24`."
        return none, [section(none)]
    # Consecutive days read as one line: a fortnight's leave is one span.
    found = spans(days, day=lambda d: d, same=lambda _: None)
    lines = [f"• {span_label(span[0], span[-1])}" for span in found]
    count = plural(len(days), "day")
    text = fold(f"{_whose(who)} days away ahead ({count}):", lines, more="…and {n} more.")
    if who is not None:
        change = "`/hire away @name add 2026-12-24` adds one; `remove` takes one back."
        return text, [section(text), context(change)]
    return text, [
        section(text),
        context(
            f"{WHAT_THEY_DO} {ADD_EXAMPLE} adds one; `/hire away remove 2026-12-24` removes one."
        ),
    ]


def _are(days: list[date], one: str, many: str) -> str:
    return f"{runs(days)} {one if len(days) == 1 else many}"


def added(added: list[date], already: list[date], who: str | None = None) -> str:
    whose = "your" if who is None else f"<@{who}>'s"
    if not added:
        return (
            _are(already, f"is already one of {whose} days away", f"are already {whose} days away")
            + "; nothing changed."
        )
    answer = _are(added, f"is now a day away for {_for(who)}", f"are now days away for {_for(who)}")
    answer += "."
    if already:
        answer += " " + _are(already, "already was one", "already were") + "."
    if who is not None:
        answer += f" <@{who}> is told."
    return answer


def removed(removed: list[date], absent: list[date], who: str | None = None) -> str:
    whose = "your" if who is None else f"<@{who}>'s"
    if not removed:
        listing = "`/hire away`" if who is None else f"`/hire away` followed by <@{who}>"
        return (
            _are(absent, f"is not one of {whose} days away", f"are not among {whose} days away")
            + f", so nothing changed. {listing} lists them."
        )
    answer = _are(removed, "is no longer a day away", "are no longer days away")
    answer += "." if who is None else f" for <@{who}>, who is told."
    if absent:
        answer += " " + _are(absent, "was not one", "were not days away") + "."
    return answer


def marked_away(actor_id: str, days: list[date]) -> tuple[str, list[Block]]:
    """To the person whose days someone else added."""
    text = f"<@{actor_id}> marked you away: {runs(days)}."
    undo = f"If that is not right, `/hire away remove {days[0].isoformat()}` takes a day back."
    return text, [section(f":palm_tree: {text}"), context(f"{WHAT_THEY_DO} {undo}")]


def unmarked_away(actor_id: str, days: list[date]) -> tuple[str, list[Block]]:
    """To the person whose days someone else took back."""
    text = f"<@{actor_id}> took back your days away: {runs(days)}."
    undo = (
        f"If you will be away after all, `/hire away add {days[0].isoformat()}` sets it "
        "again; `/hire away` lists the days away you still have."
    )
    return text, [section(text), context(undo)]


# Interviews listed with their button in one DM; past these, the Home tab lists them all.
BOOKED_SHOWN = 10


def booked_on_their_days(
    who: str, seats: list[SeatRow], *, by: str, reader: str
) -> tuple[str, list[Block]]:
    """To whoever marked `who` away (`by`), and to the recruiters of the interviews `who`
    is booked for on those days (who did not set them): each interview with its
    candidate's card, where it is moved or its interviewers changed."""
    interviews = _interviews(len(seats))
    if reader == by:
        text = f"<@{who}> is booked for {interviews} on the days you marked them away."
    elif by == who:
        text = f"<@{who}> added days away and is booked for {interviews} on them."
    else:
        text = f"<@{by}> marked <@{who}> away, and they are booked for {interviews} then."
    blocks: list[Block] = [section(f":palm_tree: {text}")]
    blocks += _with_cards(seats)
    blocks.append(
        context(
            f"They stay booked until you change them. <@{who}> is asked to say with "
            "*I can't make it* which ones they can't make; to move one or change its "
            "interviewers, open its card."
        )
    )
    return text, blocks


def back_on_their_days(who: str, seats: list[SeatRow], *, by: str) -> tuple[str, list[Block]]:
    """To the recruiters of the interviews `who` is booked for on days away just taken
    back (by `who`, or by someone else: `by`): told they were away then, they now hear
    those interviews stand."""
    interviews = _interviews(len(seats))
    if by == who:
        text = f"<@{who}> took back days away and is booked for {interviews} on them."
    else:
        text = f"<@{by}> took back <@{who}>'s days away; they are booked for {interviews} then."
    blocks: list[Block] = [section(text)]
    blocks += _with_cards(seats)
    blocks.append(
        context(f"They stand as booked: nothing to change, unless <@{who}> says *I can't make it*.")
    )
    return text, blocks


def _interviews(count: int) -> str:
    return "an interview" if count == 1 else f"{count} interviews"


def _with_cards(seats: list[SeatRow]) -> list[Block]:
    """The soonest interviews, each with its candidate's card (where it is moved or its
    interviewers changed), then how many more there are."""
    blocks: list[Block] = []
    for seat in seats[:BOOKED_SHOWN]:
        blocks.append(_seat_with(seat, card_button(seat.candidate_id, key=seat.interview_id)))
    more = len(seats) - BOOKED_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more, later."))
    return blocks


def _seat_with(seat: SeatRow, button: ButtonElement) -> SectionBlock:
    """One interview of a list by DM: candidate, role and time, and what to do about it."""
    return SectionBlock(
        text=MarkdownTextObject(
            text=f"*{esc(seat.candidate_name)}* · {esc(seat.role_title)}\n{when(seat.starts_at)}"
        ),
        accessory=button,
    )


def booked_while_away(seats: list[SeatRow]) -> tuple[str, list[Block]]:
    """After days away are added: the person's interviews on them, each with the kit's
    "I can't make it", which tells the recruiters."""
    names = ", ".join(sorted({seat.candidate_name for seat in seats}))
    interviews = _interviews(len(seats))
    text = f"You are booked for {interviews} on your days away ({names})."
    blocks: list[Block] = [section(f":palm_tree: {esc(text)}")]
    for seat in seats[:BOOKED_SHOWN]:
        cant = ButtonElement(
            text="I can't make it", action_id=CANT_MAKE_IT, value=str(seat.interview_id)
        )
        blocks.append(_seat_with(seat, cant))
    more = len(seats) - BOOKED_SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more: your Home tab lists them all."))
    blocks.append(
        context(
            "The recruiters are told, and you stay booked until they change it. If you "
            "can't make one, say so with its button: they find someone else or move it."
        )
    )
    return esc(text), blocks


BY_UTC = "Dates by UTC: Slack did not say in time where they are."
# Interviews on a day away listed with their button; past these, a count.
BOOKED_AWAY_SHOWN = 10


def panels_message(
    panels: Panels, booked: list[BookedAway], *, zones_known: bool
) -> tuple[str, list[Block]]:
    """`/hire away team`: the interviews to come that someone on them is away for, each
    with its candidate's card (to move it or change its interviewers), then who of the
    team's interviewers is away in the coming weeks."""
    weeks = f"the next {PANEL_WEEKS} weeks (to {label(panels.last_day)})"
    if not booked and not panels.away:
        text = (
            f"None of your interviewers is away in {weeks}, and no interview to come is "
            "booked on someone's day away."
        )
        return text, [section(text), context(_who_counts(panels))]
    parts = []
    if booked:
        parts.append(f"{plural(len(booked), 'interview')} booked on a day away")
    if panels.away:
        parts.append(f"{plural(len(panels.away), 'interviewer')} away in {weeks}")
    text = "Your interviewers: " + "; ".join(parts) + "."
    blocks: list[Block] = []
    if booked:
        blocks.append(section(f":warning: *Booked on a day away* ({len(booked)})"))
        blocks.extend(booked_away_block(entry) for entry in booked[:BOOKED_AWAY_SHOWN])
        more = len(booked) - BOOKED_AWAY_SHOWN
        if more > 0:
            blocks.append(context(f"…and {more} more, later: this list shows the soonest."))
        how = (
            "Open the card to reschedule or change the interviewers. Each of them can also "
            "say *I can't make it* on their kit."
        )
        if not zones_known:
            how += " " + BY_UTC
        blocks.append(context(how))
    if panels.away:
        lines = [
            f"• {user(person)}: {runs(days)}"
            for person, days in sorted(panels.away.items(), key=lambda item: (item[1][0], item[0]))
        ]
        blocks.append(
            section(fold(f"*Away in {weeks}*", lines, more="…and {n} more interviewers."))
        )
    blocks.append(context(_who_counts(panels)))
    return text, blocks


def booked_away_block(entry: BookedAway) -> SectionBlock:
    """One interview on a day away of someone on it, with its candidate's card."""
    seat = entry.seat
    who = users(entry.who)
    are = "is" if len(entry.who) == 1 else "are"
    return SectionBlock(
        text=MarkdownTextObject(
            text=f"*{esc(seat.candidate_name)}* · {esc(seat.role_title)} · "
            f"{when(seat.starts_at)}\n{who} {are} away that day"
        ),
        accessory=card_button(seat.candidate_id, key=seat.interview_id, beside=True),
    )


def _who_counts(panels: Panels) -> str:
    return (
        f"Your interviewers: the {_people(len(panels.interviewers))} on your roles' "
        f"interviews from the last {PANEL_LOOKBACK.days} days and to come. One person's "
        "days: `/hire away @person`, picked from Slack's list as you type @."
    )


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count:,} people"
