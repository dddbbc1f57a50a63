"""Planning, the sweep's first step: what the clocks say is due becomes alert rows.

Candidates, interview seats and take-homes whose `next_alert_at` has come (an indexed
range, so the cost follows what is due, not the size of the store) are planned with
bot.domain.clocks; each step becomes one alert row per recipient, keyed by its
identity and inserted once; offers past expiry are marked expired. Nothing here
speaks to Slack: delivery (bot.scheduling.delivery) sends what this records.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot import store
from bot.domain import clocks
from bot.domain.access import SYSTEM_ACTOR, Team
from bot.domain.clocks import Audience, Kind, Plan, Step
from bot.domain.interviews import InterviewStatus
from bot.domain.stages import Stage
from bot.scheduling.report import Report
from bot.store.tables import Candidate, Role

PLAN_BATCH = 500
AlertRow = dict[str, Any]  # an Alert's columns, for store.alerts.record_alerts


async def plan(session: store.AsyncSession, now: datetime, report: Report) -> None:
    """Record the alerts due at `now` and move each clock's `next_alert_at` on."""
    teams = _Teams()
    rows = await _plan_candidates(session, now, report, teams)
    rows += await _plan_seats(session, now, report, teams)
    rows += await _plan_takehomes(session, now, report, teams)
    await store.alerts.record_alerts(session, rows)


async def _plan_candidates(
    session: store.AsyncSession, now: datetime, report: Report, teams: _Teams
) -> list[AlertRow]:
    """A candidate's stage, feedback, offer and deadline clocks."""
    rows: list[AlertRow] = []
    due = await store.alerts.due_candidates(session, now=now, limit=PLAN_BATCH)
    ids = [c.id for c, _, _ in due if c.id]
    pauses = await store.pauses.pauses_of(session, candidate_ids=ids)
    idle_sent = await store.alerts.last_sent(session, candidate_ids=ids, kind=Kind.STAGE_IDLE.value)
    for candidate, role, offer in due:
        assert candidate.id is not None
        facts = clocks.candidate_facts(
            Stage(candidate.stage),
            candidate.stage_entered_at,
            candidate.feedback_complete_at,
            offer.expires_at if offer is not None else None,
            pauses.get(candidate.id, []),
            candidate_deadline=candidate.deadline_at,
        )
        next_at: datetime | None = None
        for chain in clocks.plan_candidate(facts, clocks.of_role(role), now):
            step = chain.send
            if (
                step is not None
                and step.kind == Kind.STAGE_IDLE
                and clocks.too_soon(step, idle_sent.get(candidate.id), now)
            ):
                chain = replace(chain, send=None)
            team = await teams.get(session, role)
            rows += _alert_rows(chain, candidate, role, team, None, now, report)
            if chain.send and chain.send.kind == Kind.OFFER_EXPIRED and offer is not None:
                offer.status = "expired"
                session.add(
                    store.history_note(
                        candidate.id,
                        Stage.OFFER.value,
                        actor_id=SYSTEM_ACTOR,
                        detail="offer expired",
                        now=now,
                    )
                )
            next_at = _earliest(next_at, chain.next_at)
        await store.alerts.set_candidate_next(session, candidate_id=candidate.id, at=next_at)
    return rows


async def _plan_seats(
    session: store.AsyncSession, now: datetime, report: Report, teams: _Teams
) -> list[AlertRow]:
    """Each interviewer's reminder before an interview and scorecard clock after it."""
    rows: list[AlertRow] = []
    seats = await store.alerts.due_seats(session, now=now, limit=PLAN_BATCH)
    pauses = await store.pauses.pauses_of(
        session, candidate_ids=[c.id for _, _, c, _, _ in seats if c.id]
    )
    for seat, interview, candidate, role, submitted in seats:
        assert candidate.id is not None and interview.id is not None
        subject = clocks.seat_subject(interview.id, seat.interviewer_id)
        paused, snoozed = clocks.pauses_since(
            pauses.get(candidate.id, []), since=interview.created_at, subject=subject
        )
        facts = clocks.SeatFacts(
            interview.id,
            seat.interviewer_id,
            interview.ends_at,
            seat.feedback_due_at,
            submitted,
            Stage(candidate.stage),
            paused.get("feedback", timedelta()),
            snoozed.get("feedback"),
            due_limit=clocks.scorecard_limit(
                candidate.deadline_at, clocks.of_role(role), interview.ends_at
            ),
            held=interview.status == InterviewStatus.SCHEDULED,
            starts_at=interview.starts_at,
            reminder_minutes=role.reminder_minutes,
            cant_make_it_at=seat.cant_make_it_at,
        )
        team = await teams.get(session, role)
        next_at: datetime | None = None
        # Two chains, planned apart: the reminder never hides a nudge, nor a nudge it.
        for chain in (clocks.plan_seat(facts, now), clocks.plan_reminder(facts, now)):
            rows += _alert_rows(
                chain, candidate, role, team, seat.interviewer_id, now, report, interview.id
            )
            next_at = _earliest(next_at, chain.next_at)
        await store.alerts.set_seat_next(
            session,
            interview_id=interview.id,
            interviewer_id=seat.interviewer_id,
            at=next_at,
        )
    return rows


async def _plan_takehomes(
    session: store.AsyncSession, now: datetime, report: Report, teams: _Teams
) -> list[AlertRow]:
    """Take-home windows: an unanswered one past its due time alerts the recruiters once."""
    rows: list[AlertRow] = []
    due = await store.takehomes.due_takehomes(session, now=now, limit=PLAN_BATCH)
    for takehome, candidate, role in due:
        assert takehome.id is not None
        facts = clocks.TakehomeFacts(
            takehome.id, takehome.due_at, takehome.status != "sent", Stage(candidate.stage)
        )
        chain = clocks.plan_takehome(facts, now)
        team = await teams.get(session, role)
        rows += _alert_rows(chain, candidate, role, team, None, now, report)
        await store.takehomes.set_takehome_next(session, takehome_id=takehome.id, at=chain.next_at)
    return rows


def _alert_rows(
    chain: Plan,
    candidate: Candidate,
    role: Role,
    team: Team,
    interviewer: str | None,
    now: datetime,
    report: Report,
    interview_id: int | None = None,
) -> list[AlertRow]:
    """The step to send now (pending) and those it supersedes (skipped), per recipient."""
    rows = []
    steps: list[tuple[Step, str]] = []
    if chain.send is not None:
        steps.append((chain.send, "pending"))
        report.planned += 1
    # Superseded steps are not stored (after 90 days of downtime a daily breach has
    # 90); only one still pending from an earlier sweep is marked skipped. Not one for
    # other people: the recruiters' escalation, a breach that goes at once, leaves the
    # interviewer's own "due" DM held for their working hours to go then (an interview
    # on Friday afternoon: due Saturday, escalated Sunday, and the interviewer hears of
    # it on Monday morning all the same). After downtime such a step was never
    # recorded, so only the latest goes out, as ever.
    # Those held for others stay held, and one a change cancelled (store.replan_clocks,
    # after the escalation went) is planned again ("held": back to pending if cancelled,
    # never inserted new).
    send_to = chain.send.audience if chain.send is not None else None
    for step in chain.skipped:
        # The team includes the recruiters: a step of theirs is superseded by the team's.
        superseded = send_to is None or step.audience in (send_to, *_WITHIN.get(send_to, ()))
        steps.append((step, "skipped" if superseded else "held"))
    report.skipped += len(chain.skipped)
    for step, status in steps:
        for recipient in _recipients(step.audience, role, team, interviewer):
            rows.append(
                {
                    "key": f"{step.key(candidate.id or 0)}:{recipient}",
                    "candidate_id": candidate.id,
                    "interview_id": interview_id,
                    "kind": step.kind.value,
                    "subject": step.subject,
                    "recipient_id": recipient,
                    "deadline": step.deadline,
                    "due_at": step.due_at,
                    "breach": step.breach or step.urgent,
                    "status": status,
                    "deliver_after": now,
                    "attempts": 0,
                    "claim": "",
                    "error": "",
                    "created_at": now,
                }
            )
    return rows


_WITHIN = {Audience.TEAM: (Audience.RECRUITERS,)}


def _recipients(audience: Audience, role: Role, team: Team, interviewer: str | None) -> list[str]:
    if audience == Audience.INTERVIEWER:
        return [interviewer] if interviewer else []
    people = set(team.recruiter_ids)
    if audience == Audience.TEAM:
        people.add(role.hiring_manager_id)
    return sorted(people)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if (a or b) else None


class _Teams:
    """Each role's hiring team, read once per sweep."""

    def __init__(self) -> None:
        self._known: dict[int, Team] = {}

    async def get(self, session: store.AsyncSession, role: Role) -> Team:
        assert role.id is not None
        if role.id not in self._known:
            role_and_team = await store.role_with_team(session, role_id=role.id)
            assert role_and_team is not None
            self._known[role.id] = role_and_team.team
        return self._known[role.id]
