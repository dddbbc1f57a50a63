"""Candidates out, Slack-free: what one person may see of them (or everything, for an
operator), as CSV or JSON. The rules are the status card's: `visible_ids` for which
candidates, `feedback.may_see_ratings` for whose recommendations."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot import store
from bot.domain.access import Team, can_see_candidates
from bot.domain.interviews import InterviewStatus
from bot.domain.names import name_key
from bot.domain.scorecards import booked_template, rating_label, stage_name
from bot.domain.stages import Stage
from bot.domain.zones import in_utc
from bot.store.changes import ERASED_SUMMARY, NOTE_EDITED_SUMMARY
from bot.store.engine import Database
from bot.store.tables import Candidate, Change, Interview, Role, Scorecard, Seat
from bot.usecases.feedback import may_see_ratings

COLUMNS = (
    "name",
    "email",
    "role",
    "stage",
    "days_in_stage",
    "stage_entered_at",
    "links",
    "decides_by",
    "decides_by_reason",
    "interviews",
    "scorecards_in",
    "recommendations",
    "notes",
    "added_at",
)
HIDDEN = "hidden until you submit your own"


@dataclass(frozen=True)
class ExportRow:
    id: int
    name: str
    email: str
    role: str
    stage: str
    days_in_stage: float
    stage_entered_at: str
    links: str
    # The candidate's own deadline (a competing offer) and why; empty when none.
    decides_by: str
    decides_by_reason: str
    interviews: str
    scorecards_in: str
    recommendations: str
    notes: str  # the hiring team's notes, latest first, one a line; empty for others
    added_at: str
    # Who the row names (interviewers, note authors), by Slack id: not a column, so that
    # the Slack export can ask Slack their names and build the rows again with them.
    people: frozenset[str] = field(default=frozenset(), compare=False)


async def rows_for(
    db: Database,
    *,
    viewer_id: str | None,
    role_query: str = "",
    now: datetime,
    name_of: Callable[[str], str] = str,
) -> list[ExportRow]:
    """The candidates `viewer_id` may see (None: an operator, who sees all), of the roles
    whose title contains `role_query` when given, oldest first."""
    async with db.reader() as session:
        teams = {r.role.id: r.team for r in await store.all_roles(session)}
        if viewer_id is None:
            pairs = await store.all_candidates(session)
        else:
            pairs = await store.candidates_visible_to(session, user_id=viewer_id)
        wanted = name_key(role_query)
        if wanted:
            pairs = [(c, r) for c, r in pairs if wanted in r.title_key]
        ids = [c.id or 0 for c, _ in pairs]
        seats = await store.seats_of_many(session, candidate_ids=ids)
        cards = store.latest_versions(await store.scorecards_of_many(session, candidate_ids=ids))
        # Notes are the hiring team's: an interviewer's export leaves them out.
        team_ones = [
            c.id or 0
            for c, r in pairs
            if viewer_id is None or can_see_candidates(viewer_id, teams[r.id])
        ]
        notes = await store.changes.notes_of_many(session, candidate_ids=team_ones)
    loops: dict[int, list[tuple[Interview, Seat]]] = {}
    for interview, seat in seats:
        loops.setdefault(interview.candidate_id, []).append((interview, seat))
    noted: dict[int, list[Change]] = {}
    for note in notes:
        noted.setdefault(note.candidate_id or 0, []).append(note)
    people = _People(viewer_id, now, name_of)
    return [
        people.row(c, r, teams[r.id], loops.get(c.id or 0, []), cards, noted.get(c.id or 0, []))
        for c, r in pairs
    ]


@dataclass(frozen=True)
class _People:
    """Whose export it is, when, and how a person is named in it (their Slack id, or their
    name where Slack said it)."""

    viewer_id: str | None
    now: datetime
    name_of: Callable[[str], str]

    def row(
        self,
        candidate: Candidate,
        role: Role,
        team: Team,
        loop: Sequence[tuple[Interview, Seat]],
        cards: dict[tuple[int, str], Scorecard],
        notes: Sequence[Change],
    ) -> ExportRow:
        name_of = self.name_of
        in_stage = (self.now - candidate.stage_entered_at).total_seconds() / 86400
        held = [(i, s) for i, s in loop if i.status == InterviewStatus.SCHEDULED]
        mine = [cards.get((i.id or 0, s.interviewer_id)) for i, s in held]
        submitted_by = {s.interviewer_id for (_, s), card in zip(held, mine, strict=True) if card}
        # The independence rule, per candidate: an interviewer who has not submitted their
        # own scorecard sees nobody else's recommendation; the team and operators see all.
        show_all = self.viewer_id is None or may_see_ratings(self.viewer_id, team, submitted_by)
        show_team = self.viewer_id is None or can_see_candidates(self.viewer_id, team)
        recommendations = []
        for (_, seat), card in zip(held, mine, strict=True):
            if card is None:
                continue
            said = (
                rating_label(card.recommendation)
                if show_all or seat.interviewer_id == self.viewer_id
                else HIDDEN
            )
            recommendations.append(f"{name_of(seat.interviewer_id)}: {said}")
        panels: dict[int, tuple[Interview, list[str]]] = {}
        for interview, seat in loop:
            panels.setdefault(interview.id or 0, (interview, []))[1].append(seat.interviewer_id)
        return ExportRow(
            id=candidate.id or 0,
            name=candidate.name,
            email=candidate.email or "",
            role=role.title,
            stage=candidate.stage,
            days_in_stage=0.0 if Stage(candidate.stage).is_closed else round(in_stage, 1),
            stage_entered_at=_iso(candidate.stage_entered_at),
            links=candidate.links or "",
            decides_by=_iso(candidate.deadline_at) if candidate.deadline_at else "",
            # Why (a competing offer, often) is the team's, as on the card.
            decides_by_reason=candidate.deadline_reason or "" if show_team else "",
            interviews="; ".join(
                self._interview(interview, role, people) for interview, people in panels.values()
            ),
            scorecards_in=f"{len(submitted_by)} of {len(held)}" if held else "",
            recommendations="; ".join(recommendations),
            notes="\n".join(self._note(note) for note in notes),
            added_at=_iso(candidate.created_at),
            people=frozenset(s.interviewer_id for _, s in loop) | {n.actor_id for n in notes},
        )

    def _interview(self, interview: Interview, role: Role, people: Sequence[str]) -> str:
        title = stage_name(booked_template(interview.template, role.template), interview.plan_stage)
        status = InterviewStatus(interview.status)
        flag = "" if status == InterviewStatus.SCHEDULED else f", {status.label}"
        who = ", ".join(self.name_of(p) for p in people)
        return f"{title} {in_utc(interview.starts_at)} ({who}){flag}"

    def _note(self, note: Change) -> str:
        edited = " (edited)" if note.summary == NOTE_EDITED_SUMMARY else ""
        words = ERASED_SUMMARY if note.summary == ERASED_SUMMARY else note.reason
        return f"{in_utc(note.at)} {self.name_of(note.actor_id)}{edited}: {words}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cell(value: object) -> object:
    """A spreadsheet runs a cell starting with = + - @ as a formula: a candidate's name or
    note must stay text (OWASP's CSV injection advice: prefix a quote)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Sequence[ExportRow], *, with_id: bool = False) -> str:
    """UTF-8 CSV text with a heading line; Excel reads it given the BOM `csv_bytes` adds."""
    out = io.StringIO()
    columns = (("id",) if with_id else ()) + COLUMNS
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        values = asdict(row)
        writer.writerow([_cell(values[c]) for c in columns])
    return out.getvalue()


def csv_bytes(rows: Sequence[ExportRow], *, with_id: bool = False) -> bytes:
    # The BOM makes Excel read the file as UTF-8 (accents in names stay right).
    return "\ufeff".encode() + to_csv(rows, with_id=with_id).encode()


def to_json(rows: Sequence[ExportRow]) -> str:
    listed = [{k: v for k, v in asdict(r).items() if k != "people"} for r in rows]
    return json.dumps(listed, ensure_ascii=False, indent=2) + "\n"
