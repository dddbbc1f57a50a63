"""What the clocks say to people: an interviewer's reminder and nudges, and the digest of
one sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, HeaderBlock, SectionBlock

from bot.domain import clocks
from bot.domain.clocks import CLOCK_OF, Kind
from bot.domain.scorecards import Competency
from bot.domain.stages import Stage
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import (
    clip,
    context,
    duration,
    esc,
    section,
    signals,
    user,
    when,
)
from bot.slack.blocks.interview_changes import CANT_MAKE_IT
from bot.slack.blocks.interviews import NUDGE, OPEN_SCORECARD
from bot.store.tables import Alert, Candidate, Interview, Role, WeeklyReport
from bot.usecases.feedback import NUDGE_AGAIN_AFTER, Nudged
from bot.usecases.offers import SNOOZABLE

SNOOZE = "alert_snooze"
MAX_DIGEST_ITEMS = 20  # two blocks an item, inside a message's 50

URGENT = {
    Kind.LOOP_BREACH,
    Kind.FEEDBACK_OVERDUE,
    Kind.DECISION_BREACH,
    Kind.OFFER_EXPIRED,
    Kind.TAKEHOME_OVERDUE,
    Kind.OWN_DEADLINE,
}


@dataclass(frozen=True)
class AlertItem:
    alert: Alert
    candidate: Candidate
    role: Role
    interview: Interview | None
    stage_name: str
    competencies: list[Competency] = field(default_factory=list)  # for a reminder: the kit's

    @property
    def kind(self) -> Kind:
        return Kind(self.alert.kind)


def _who(item: AlertItem) -> str:
    return f"*{esc(item.candidate.name)}* ({esc(item.role.title)})"


def _loop_end(item: AlertItem) -> datetime:
    """The loop's own end, before any snooze: its days from entering interviewing."""
    return item.candidate.stage_entered_at + timedelta(days=item.role.loop_days)


def _loop_next(item: AlertItem) -> str:
    """What to do about a loop past its end. With every scorecard in, the decision's own
    alert says decide: the same words here, not a second instruction beside it."""
    if item.candidate.feedback_complete_at is not None:
        # As the decision window's own alert says it, while still in interviewing.
        return "Every scorecard is in: book the next interview, or make an offer or reject."
    return "Move them to decision, or reject."


def _because(candidate: Candidate) -> str:
    """` (competing offer)`: why the candidate has a deadline, for the hiring team."""
    reason = candidate.deadline_reason
    return f" ({esc(reason)})" if reason else ""


def _first_name(candidate: Candidate) -> str:
    return esc((candidate.name.split() or ["The candidate"])[0])


def squeezed(item: AlertItem) -> bool:
    """Whether the candidate's own deadline moved this alert's deadline earlier: its
    deadline is the limit bot.domain.clocks works back from the candidate's deadline."""
    by = item.candidate.deadline_at
    clock = CLOCK_OF.get(item.kind)
    if by is None or clock is None:
        return False
    role_clocks = clocks.of_role(item.role)
    if clock == "feedback":
        ends = item.interview.ends_at if item.interview is not None else None
        limit = clocks.scorecard_limit(by, role_clocks, ends) if ends is not None else None
    else:
        limit = clocks.limits(by, role_clocks).of(clock)
    return limit is not None and item.alert.deadline == limit


def _why(item: AlertItem, now: datetime) -> str:
    """The plain-words reason a squeezed deadline is early: "— Maya decides by Fri 12:00
    (competing offer)", or, once that has gone, that it passed (a daily breach after it
    still saying "decides by" yesterday read as a slip). Only the hiring team gets
    digests, so the reason may show."""
    by = item.candidate.deadline_at
    if not squeezed(item) or by is None:
        return ""
    because = _because(item.candidate)
    name = _first_name(item.candidate)
    if by <= now:
        return f" — {name}'s own deadline passed {when(by)}{because}"
    return f" — {name} decides by {when(by)}{because}"


def at_risk(item: AlertItem, now: datetime) -> bool:
    """A squeezed deadline within a day or passed, the candidate's own still ahead (the
    same rule as clocks.at_risk, for one alert)."""
    by = item.candidate.deadline_at
    return (
        by is not None
        and by > now
        and squeezed(item)
        and item.alert.deadline - now <= clocks.AT_RISK_WITHIN
    )


def describe(item: AlertItem, now: datetime) -> str:
    """One line a person understands without opening anything."""
    text = _describe(item, now, _why(item, now))
    if at_risk(item, now):
        text += f" :warning: *At risk of losing {_first_name(item.candidate)}.*"
    return text


def _describe(item: AlertItem, now: datetime, why: str) -> str:
    alert, kind = item.alert, item.kind
    deadline = alert.deadline
    late = duration(now - deadline)
    left = duration(deadline - now)
    match kind:
        case Kind.LOOP_WARN:
            return (
                f":hourglass_flowing_sand: {_who(item)}: the interview loop has {left} left; "
                f"it should reach a decision by {when(deadline)}{why}."
            )
        case Kind.LOOP_BREACH if why:
            return (
                f":rotating_light: {_who(item)}: the interview loop ran past {when(deadline)}, "
                f"{late} ago{why}. {_loop_next(item)}"
            )
        case Kind.LOOP_BREACH if deadline > (own := _loop_end(item)):
            # Snoozed: lateness from the snooze's end alone would read as just late.
            return (
                f":rotating_light: {_who(item)}: the interview loop ran past its "
                f"{item.role.loop_days} days {duration(now - own)} ago, and past its snooze "
                f"{late} ago. {_loop_next(item)}"
            )
        case Kind.LOOP_BREACH:
            return (
                f":rotating_light: {_who(item)}: the interview loop ran past its "
                f"{item.role.loop_days} days; it is {late} late. {_loop_next(item)}"
            )
        case Kind.FEEDBACK_OVERDUE if alert.due_at <= deadline:
            # Only a snoozed one comes at its due time (clocks.seat_steps): the day given
            # has run out, which the lateness since the moved time alone would hide.
            interviewer = alert.subject.split(":", 1)[-1]
            return (
                f":rotating_light: {_who(item)}: {user(interviewer)}'s scorecard for "
                f"{esc(item.stage_name or 'an interview')} is still not in, and the snooze "
                f"given to it ran out {when(deadline)}{why}."
            )
        case Kind.FEEDBACK_OVERDUE:
            interviewer = alert.subject.split(":", 1)[-1]
            return (
                f":rotating_light: {_who(item)}: {user(interviewer)}'s scorecard for "
                f"{esc(item.stage_name or 'an interview')} is {late} overdue{why}."
            )
        case Kind.DECISION_WARN if item.candidate.stage == Stage.INTERVIEWING.value:
            # Every scorecard in and still interviewing (taken back for one more round, or
            # not moved on): "decide" alone read as if the next interview were not wanted.
            return (
                f":hourglass_flowing_sand: {_who(item)}: every scorecard is in and nothing "
                f"more is booked: book the next interview, or decide by {when(deadline)} "
                f"({left} left){why}."
            )
        case Kind.DECISION_WARN:
            return (
                f":hourglass_flowing_sand: {_who(item)}: decide by {when(deadline)} "
                f"({left} left){why}."
            )
        case Kind.DECISION_BREACH if item.candidate.stage == Stage.INTERVIEWING.value:
            return (
                f":rotating_light: {_who(item)}: the decision window closed {late} ago{why}, "
                "with every scorecard in and nothing more booked. Book the next interview, "
                "or make an offer or reject."
            )
        case Kind.DECISION_BREACH:
            return (
                f":rotating_light: {_who(item)}: the decision window closed {late} ago{why}. "
                "Make an offer, or reject."
            )
        case Kind.OFFER_WARN:
            return (
                f":hourglass_flowing_sand: {_who(item)}: the offer expires {when(deadline)} "
                f"({left} left){why}."
            )
        case Kind.OFFER_EXPIRED if squeezed(item):
            # It expired at their own deadline: no extension is taken until that moves.
            return (
                f":rotating_light: {_who(item)}: the offer expired {when(deadline)}{why}. "
                "If they still have time, move or clear their deadline, then extend it; or "
                "record the answer."
            )
        case Kind.OFFER_EXPIRED:
            return (
                f":rotating_light: {_who(item)}: the offer expired {when(deadline)}{why}. "
                "Extend it, or record the answer."
            )
        case Kind.OWN_DEADLINE:
            return (
                f":rotating_light: {_who(item)}: their own deadline passed {when(deadline)}, "
                f"{late} ago{_because(item.candidate)}. Ask whether they are still "
                "deciding, then move or clear it on their card; or reject, if they have gone."
            )
        case Kind.OWN_DEADLINE_LOOP:
            by = item.candidate.deadline_at
            decides = (
                f"they decide {when(by)}{_because(item.candidate)}"
                if by is not None
                else "they decide soon"
            )
            if deadline > now:
                return (
                    f":warning: {_who(item)}: {decides}, so their interview loop must end by "
                    f"{when(deadline)} ({left} left), and it has not started. Book the "
                    "interviews now, or ask them for more time and move their deadline. "
                    f"*At risk of losing {_first_name(item.candidate)}.*"
                )
            return (
                f":warning: {_who(item)}: {decides}, so their interview loop had to end by "
                f"{when(deadline)}, {late} ago, and it has not started. Ask them for more "
                f"time and move their deadline, or reject. *At risk of losing "
                f"{_first_name(item.candidate)}.*"
            )
        case Kind.TAKEHOME_OVERDUE:
            return (
                f":rotating_light: {_who(item)}: the take-home was due {when(deadline)} "
                f"({late} ago) and is not recorded yet. Record it as received or not received "
                "on the status card."
            )
        case Kind.PANEL_GAP:
            interviewer = alert.subject.split(":", 1)[-1]
            return (
                f":warning: {_who(item)}: {user(interviewer)} said they can't make "
                f"{esc(item.stage_name or 'the interview')} ({when(deadline)}, {left} from now), "
                "and it is still booked with them. Reschedule it or change its interviewers "
                "from the card."
            )
        case Kind.STAGE_IDLE:
            idle = duration(now - item.candidate.stage_entered_at)
            return (
                f":zzz: {_who(item)} has been in {item.candidate.stage} for {idle} without a move."
            )
        case _:
            return f"{_who(item)}: {kind.value.replace('_', ' ')}."


# The digest items with a Snooze button: only clocks bot.usecases.offers.snooze moves (the
# offer clock is extended from the status card instead, so a Snooze there could only refuse).
SNOOZE_OFFERED = frozenset(
    kind
    for kind in (
        Kind.LOOP_WARN,
        Kind.LOOP_BREACH,
        Kind.FEEDBACK_OVERDUE,
        Kind.DECISION_WARN,
        Kind.DECISION_BREACH,
        Kind.STAGE_IDLE,
    )
    if CLOCK_OF[kind] in SNOOZABLE
)


def _buttons(item: AlertItem) -> list[ButtonElement]:
    alert = item.alert
    buttons = []
    # A loop whose scorecards are all in has nobody to nudge: its button would only say so.
    owed = item.kind == Kind.FEEDBACK_OVERDUE or (
        item.kind in (Kind.LOOP_WARN, Kind.LOOP_BREACH)
        and item.candidate.feedback_complete_at is None
    )
    if owed:
        buttons.append(
            ButtonElement(
                text="Nudge interviewers",
                action_id=f"{NUDGE}_{alert.id}",
                value=str(alert.candidate_id),
                style="primary",
            )
        )
    if item.kind in SNOOZE_OFFERED:
        buttons.append(
            ButtonElement(
                text="Snooze 24h",
                action_id=f"{SNOOZE}_{alert.id}",
                value=str(alert.id),
            )
        )
    buttons.append(card_button(alert.candidate_id, key=alert.candidate_id, text="Open status"))
    return buttons


def digest_message(
    items: list[AlertItem], now: datetime
) -> tuple[list[AlertItem], tuple[str, list[Block]]]:
    """Most urgent first; returns the items shown (the rest wait for the next sweep)."""
    # Breaches and candidates at risk of being lost first; then the tightest deadline.
    ordered = sorted(
        items, key=lambda i: (i.kind not in URGENT and not at_risk(i, now), i.alert.deadline)
    )
    shown = ordered[:MAX_DIGEST_ITEMS]
    urgent = sum(1 for i in shown if i.kind in URGENT)
    count = f"{len(shown)} thing{'s' if len(shown) != 1 else ''}"
    text = f"Loopkeeper: {count} need{'s' if len(shown) == 1 else ''} you" + (
        f", {urgent} overdue" if urgent else ""
    )
    blocks: list[Block] = [
        HeaderBlock(text=clip(text.removeprefix("Loopkeeper: ").capitalize(), 150))
    ]
    for item in shown:
        blocks.append(section(clip(describe(item, now), 3000)))
        blocks.append(ActionsBlock(block_id=f"alert_{item.alert.id}", elements=_buttons(item)))
    if len(ordered) > len(shown):
        blocks.append(context(f"{len(ordered) - len(shown)} more in the next digest."))
    return shown, (text, blocks)


DUE_NOW_WITHIN = timedelta(hours=1)


def nudge_message(item: AlertItem, now: datetime) -> tuple[str, list[Block]]:
    """To an interviewer, from the clock: their scorecard is due."""
    assert item.interview is not None
    return reminder_message(
        item.candidate,
        item.role,
        item.interview,
        item.stage_name,
        due_at=item.alert.deadline,
        # Held past working hours, a day off or a day away, it is late when it comes:
        # "due now" would hide by how much.
        due_now=item.kind == Kind.FEEDBACK_DUE and now - item.alert.deadline < DUE_NOW_WITHIN,
        candidate_by=item.candidate.deadline_at if squeezed(item) else None,
        now=now,
    )


def reminder_message(
    candidate: Candidate,
    role: Role,
    interview: Interview,
    stage_name: str,
    *,
    due_at: datetime,
    due_now: bool = False,
    asked_by: str | None = None,
    candidate_by: datetime | None = None,
    now: datetime | None = None,
) -> tuple[str, list[Block]]:
    """Your scorecard for Jane is due, with the button that opens it; `candidate_by` when
    the candidate's own deadline made it due sooner (the date only: the reason is the
    hiring team's). Given `now`, one already past its due time says it is overdue."""
    # Already mrkdwn: the name escaped, the date a token Slack renders (not to escape again).
    if due_now:
        text = f"Your scorecard for {esc(candidate.name)} is due now."
    elif now is not None and due_at <= now:
        text = (
            f"Your scorecard for {esc(candidate.name)} was due {when(due_at)}: "
            f"it is overdue by {duration(now - due_at)}."
        )
    else:
        text = f"Your scorecard for {esc(candidate.name)} is due {when(due_at)}."
    asked = f"\n{user(asked_by)} asked me to remind you." if asked_by else ""
    if candidate_by is not None and now is not None and candidate_by <= now:
        # Their date has gone by: "must finish before then" would be a time past.
        asked += (
            f"\nIt was due sooner than usual: {_first_name(candidate)} decides by a date of "
            "their own, now passed. The hiring team needs it as soon as you can."
        )
    elif candidate_by is not None:
        asked += (
            f"\nIt is due sooner than usual: {_first_name(candidate)} decides by "
            f"{when(candidate_by)}, and the loop must finish before then."
        )
    # Fresh only while it is: days after, the team needs it, whatever the memory.
    overdue = now is not None and due_at <= now and not due_now
    ask = (
        "The hiring team is waiting on it."
        if overdue
        else "It takes a few minutes while it is fresh."
    )
    blocks: list[Block] = [
        SectionBlock(
            text=clip(
                f":memo: {text}\n*{esc(candidate.name)}* ({esc(role.title)}): "
                f"{esc(stage_name or 'your interview')}, which ended {when(interview.ends_at)}. "
                f"{ask}{asked}",
                3000,
            ),
            accessory=ButtonElement(
                text="Submit scorecard",
                action_id=f"{OPEN_SCORECARD}_{interview.id}",
                value=str(interview.id),
                style="primary",
            ),
        )
    ]
    return text, blocks


# A message holds 50 blocks: the competencies shown in a reminder (the kit has them all).
MAX_REMINDER_COMPETENCIES = 40


def interview_reminder_message(item: AlertItem) -> tuple[str, list[Block]]:
    """To an interviewer, before the interview: when it starts, what to probe, and the
    button to write it up after. The kit had it all; this is the nudge to look again."""
    interview = item.interview
    assert interview is not None
    stage = esc(item.stage_name or "interview")
    text = (
        f"Reminder: {stage} with {esc(item.candidate.name)} ({esc(item.role.title)}) starts "
        f"{when(interview.starts_at)}."
    )
    blocks: list[Block] = [
        section(
            clip(
                f":alarm_clock: Your *{stage}* with *{esc(item.candidate.name)}* "
                f"({esc(item.role.title)}) starts {when(interview.starts_at)} and ends "
                f"{when(interview.ends_at)}.",
                3000,
            )
        )
    ]
    shown = item.competencies[:MAX_REMINDER_COMPETENCIES]
    if shown:
        blocks.append(section("*Probe these competencies* and rate each against its signals:"))
        blocks += [
            section(clip(f"*{esc(c.name)}*: {esc(c.description)}\n{signals(c)}", 3000))
            for c in shown
        ]
    blocks.append(
        ActionsBlock(
            block_id=f"reminder_{interview.id}",
            elements=[
                ButtonElement(
                    text="Submit scorecard",
                    action_id=OPEN_SCORECARD,
                    value=str(interview.id),
                    style="primary",
                ),
                # Half an hour before is when a clash shows up: the kit's button, here too.
                ButtonElement(
                    text="I can't make it", action_id=CANT_MAKE_IT, value=str(interview.id)
                ),
            ],
        )
    )
    blocks.append(
        context(
            "Write your scorecard right after the interview, while it is fresh; it opens "
            "once the interview has begun."
        )
    )
    return text, blocks


def deliveries_message(
    rows: list[tuple[Alert, Candidate]], reports: list[tuple[WeeklyReport, Role]]
) -> tuple[str, list[Block]]:
    """For admins: alerts and weekly reports Slack refused for good. No candidate names:
    admins are not on every hiring team."""
    if not rows and not reports:
        text = (
            "No failed deliveries. Every alert and weekly report Loopkeeper recorded was "
            "accepted by Slack."
        )
        return text, [section(text)]
    parts = []
    if rows:
        parts.append(f"{len(rows)} alert{'s' if len(rows) != 1 else ''}")
    if reports:
        parts.append(f"{len(reports)} weekly report{'s' if len(reports) != 1 else ''}")
    text = f"{' and '.join(parts)} could not be delivered (latest first):"
    blocks: list[Block] = [section(text)]
    if rows:
        lines = [
            f"• {when(alert.created_at)}: {alert.kind.replace('_', ' ')} for candidate "
            f"#{alert.candidate_id} to {user(alert.recipient_id)}: `{esc(alert.error)}` "
            f"after {alert.attempts} attempt{'s' if alert.attempts != 1 else ''}"
            for alert, _ in rows
        ]
        blocks.append(section(clip("\n".join(lines), 3000)))
    if reports:
        lines = [
            f"• weekly report of {esc(role.title)} for the week to {report.week}, to "
            f"<#{role.channel_id}>: `{esc(report.error)}`"
            for report, role in reports
        ]
        blocks.append(section(clip("*Weekly reports*\n" + "\n".join(lines), 3000)))
    hint = (
        "Common causes: `not_in_channel` (invite @Loopkeeper), `user_not_found` or "
        "`account_inactive` (the person left: update the role's team), `missing_scope` "
        "(reinstall the app from the manifest)."
    )
    return text, [*blocks, context(hint)]


def nudged_already(nudged: Sequence[Nudged], *, user_id: str, now: datetime) -> str:
    """Who was reminded a moment ago, by whom (`user_id`: you), so not again; "" if
    nobody was (feedback.Nudge.nudged)."""
    if not nudged:
        return ""
    said = []
    for n in nudged:
        by = "you" if n.actor_id == user_id else user(n.actor_id)
        ago = f"{duration(now - n.at)} ago" if now - n.at >= timedelta(minutes=1) else "just now"
        said.append(f"{user(n.interviewer_id)} was nudged by {by} {ago}")
    again = max(n.at for n in nudged) + NUDGE_AGAIN_AFTER - now
    return f"{'; '.join(said)}: not again so soon (they can be nudged again in {duration(again)})."
