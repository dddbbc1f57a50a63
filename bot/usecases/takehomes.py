"""Take-home assignments, Slack-free: send one, record whether it came back, grade it
part by part, and who may see whose grades.

Only the role's recruiters and hiring manager send and record take-homes; the graders
are picked when it is sent. A grade follows the scorecard rules (bot/feedback.py):
one rating per part on the same scale, a summary, and independence: a grader sees no
other grade until theirs is in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import store
from bot.domain import access
from bot.domain.access import Team
from bot.domain.limits import (
    MAX_EVIDENCE,
    MAX_REASON,
    MAX_SUMMARY,
    MAX_TAKEHOME_NOTE,
    MAX_URL,
    too_long,
)
from bot.domain.links import with_scheme
from bot.domain.scorecards import (
    GradeForm,
    GradeInput,
    TakehomeSpec,
    Template,
    check_grade,
    is_web_address,
    template_named,
)
from bot.domain.stages import SCHEDULABLE
from bot.domain.zones import in_utc
from bot.store.engine import Database
from bot.store.tables import (
    Candidate,
    Role,
    Takehome,
    TakehomeGrade,
    TakehomeRating,
)
from bot.usecases.candidates import (
    CandidateCard,
    allowed_card,
    card_in,
    lock_open,
    still_open,
)
from bot.usecases.errors import NOT_FOUND, FormErrors, FutureWords, NotAllowed, future_problem

MAX_GRADERS = 6
MAX_WINDOW = timedelta(days=30)
# A take-home may be sent, answered and graded until the candidate leaves `decision`,
# as interviews and scorecards are.
OPEN_TO_TAKEHOMES = SCHEDULABLE
TEAM_ONLY = "Only the role's recruiters and hiring manager send and record take-homes."
NOT_A_GRADER = "That take-home is graded by others, so I can't open it for you."
DUE_WORDS = FutureWords(
    missing="Pick when the submission is due.",
    past="The due time must be in the future.",
    too_far="Keep the window under 30 days: a take-home is a few hours of work.",
)
STATUS_WORDS = {"sent": "sent", "received": "received", "not_received": "not received"}


def may_see_grades(viewer_id: str, team: Team, graded_by: Collection[str]) -> bool:
    """Independent grading, the scorecard rule (bot.usecases.feedback.may_see_ratings) applied to
    grades: the hiring team sees every grade; a grader sees others' once theirs is in."""
    return access.can_see_candidates(viewer_id, team) or viewer_id in graded_by


# What a person sees of a take-home ---------------------------------------------------------------


@dataclass(frozen=True)
class GradeView:
    grader_id: str
    grade: TakehomeGrade | None
    ratings: dict[str, TakehomeRating]  # part key -> rating

    @property
    def submitted(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class TakehomeView:
    """The candidate's latest take-home as one viewer may see it."""

    takehome: Takehome
    spec: TakehomeSpec | None  # None if the role's template no longer has a take-home
    graders: list[GradeView]
    show_grades: bool  # the independence rule, decided for this viewer

    @property
    def open(self) -> bool:
        return self.takehome.status == "sent"

    @property
    def received(self) -> bool:
        return self.takehome.status == "received"

    @property
    def complete(self) -> bool:
        """Nothing of it holds the loop's feedback up (bot/feedback.py: Loop.complete)."""
        return not self.received or all(g.submitted for g in self.graders)

    def rated_competencies(self) -> set[str]:
        """Competencies some grader rated through a part: they count as assessed."""
        if self.spec is None:
            return set()
        by_part = {p.key: p.competency for p in self.spec.parts}
        return {
            by_part[key]
            for g in self.graders
            for key, r in g.ratings.items()
            if r.rating > 0 and key in by_part
        }


async def takehome_in(
    session: store.AsyncSession,
    *,
    viewer_id: str,
    candidate: Candidate,
    team: Team,
    template: Template,
) -> TakehomeView | None:
    """The candidate's latest take-home, if one was sent; grades only as the viewer may."""
    assert candidate.id is not None
    takehome = await store.takehomes.latest_takehome(session, candidate_id=candidate.id)
    if takehome is None or takehome.id is None:
        return None
    graders = await store.takehomes.graders_of(session, takehome_id=takehome.id)
    grades = {
        g.grader_id: g for g in await store.takehomes.grades_of(session, takehome_id=takehome.id)
    }
    ratings: dict[int, dict[str, TakehomeRating]] = {}
    for rating in await store.takehomes.part_ratings_of(
        session, grade_ids=[g.id for g in grades.values() if g.id]
    ):
        ratings.setdefault(rating.grade_id, {})[rating.part] = rating
    views = [
        GradeView(
            grader,
            grades.get(grader),
            ratings.get(grades[grader].id or 0, {}) if grader in grades else {},
        )
        for grader in graders
    ]
    show = may_see_grades(viewer_id, team, set(grades))
    return TakehomeView(takehome, template.takehome, views, show)


# Sending -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTakehome:
    grader_ids: list[str]
    due_at: datetime | None
    note: str


@dataclass(frozen=True)
class Sent:
    card: CandidateCard
    takehome: Takehome
    spec: TakehomeSpec
    grader_ids: list[str]


def team_refusal(card: CandidateCard, user_id: str) -> str | None:
    """Why this person may not send or record this candidate's take-homes, or None."""
    return None if access.can_move_candidates(user_id, card.team) else TEAM_ONLY


def send_refusal(
    card: CandidateCard, user_id: str, latest: Takehome | None, *, grading: bool = False
) -> str | None:
    """Why this person cannot send a take-home to this candidate now, or None: asked when
    the form opens, when the status card offers the button, and when the form is sent.
    `grading`: a received take-home still awaits a grade (the card shows only the latest,
    so a new one sent then would hide the grading under way)."""
    team_only = team_refusal(card, user_id)
    if team_only:
        return team_only
    if template_named(card.role.template).takehome is None:
        return f"The {card.role.title} role's scorecard template has no take-home."
    if card.stage not in OPEN_TO_TAKEHOMES:
        return f"{card.candidate.name} is in {card.stage.value}: take-homes are over for them."
    if latest is not None and latest.status == "sent":
        return (
            f"A take-home is already out for {card.candidate.name}: record it as received "
            "or not received first."
        )
    if grading:
        return (
            f"{card.candidate.name}'s take-home is still being graded: send another once "
            "its grades are in (or take the graders still awaited off it)."
        )
    return None


def check_send(form: NewTakehome, *, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.grader_ids:
        errors["graders"] = "Pick at least one grader."
    elif len(set(form.grader_ids)) > MAX_GRADERS:
        errors["graders"] = f"Pick at most {MAX_GRADERS} graders."
    problem = future_problem(form.due_at, now=now, within=MAX_WINDOW, words=DUE_WORDS)
    if problem:
        errors["due"] = problem
    if problem := too_long("note", form.note.strip(), MAX_TAKEHOME_NOTE):
        errors["note"] = problem
    return errors


async def to_grade(db: Database, *, user_id: str) -> list[tuple[Takehome, Candidate, Role]]:
    """The received take-homes this person grades and has not graded yet."""
    async with db.reader() as session:
        return await store.takehomes.to_grade(session, grader_id=user_id)


async def send_form(
    db: Database, *, user_id: str, candidate_id: int
) -> tuple[CandidateCard, TakehomeSpec]:
    """What the send modal needs; raises NotAllowed with the reason it cannot open."""
    async with db.reader() as session:
        card = await card_in(session, user_id=user_id, candidate_id=candidate_id)
        if card is None:
            raise NotAllowed(NOT_FOUND)
        latest = await store.takehomes.latest_takehome(session, candidate_id=candidate_id)
        grading = not await store.takehomes.every_grade_in(session, candidate_id=candidate_id)
    refusal = send_refusal(card, user_id, latest, grading=grading)
    if refusal:
        raise NotAllowed(refusal)
    spec = template_named(card.role.template).takehome
    assert spec is not None
    return card, spec


async def send(
    db: Database, *, actor_id: str, candidate_id: int, form: NewTakehome, now: datetime
) -> Sent:
    """Send the role's take-home: its window (the candidate's deadline for it) starts."""
    async with db.transaction() as session:
        # Under the candidate's lock, so two sends at once leave one take-home open.
        await store.lock_candidate(session, candidate_id=candidate_id)
        card = await allowed_card(
            session, user_id=actor_id, candidate_id=candidate_id, refusal=team_refusal
        )
        latest = await store.takehomes.latest_takehome(session, candidate_id=candidate_id)
        grading = not await store.takehomes.every_grade_in(session, candidate_id=candidate_id)
        refusal = send_refusal(card, actor_id, latest, grading=grading)
        if refusal:
            raise NotAllowed(refusal)
        errors = check_send(form, now=now)
        if errors:
            raise FormErrors(errors)
        assert form.due_at is not None
        spec = template_named(card.role.template).takehome
        assert spec is not None
        takehome = await store.takehomes.add_takehome(
            session,
            candidate_id=candidate_id,
            grader_ids=form.grader_ids,
            due_at=form.due_at,
            note=form.note.strip(),
            actor_id=actor_id,
            now=now,
        )
        graders = ", ".join(f"<@{g}>" for g in sorted(set(form.grader_ids)))
        session.add(
            store.history_note(
                candidate_id,
                card.stage.value,
                actor_id=actor_id,
                detail=f"take-home sent, due {in_utc(form.due_at)}; graders {graders}",
                now=now,
            )
        )
        await store.replan_clocks(session, candidate_id=candidate_id, now=now)
        return Sent(card, takehome, spec, sorted(set(form.grader_ids)))


# Received or not ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    card: CandidateCard
    takehome: Takehome
    spec: TakehomeSpec | None
    grader_ids: list[str]


def check_url(raw: str) -> tuple[str | None, str | None]:
    """(the submission link, or the field error)."""
    url = with_scheme(raw)  # pasted as github.com/jane/x, as people do
    if not url:
        return None, "Paste the link to the candidate's submission."
    if problem := too_long("link", url, MAX_URL):
        return None, problem
    if not is_web_address(url):
        return (
            None,
            "That is not a web address: paste the link to the submission, starting https://.",
        )
    return url, None


async def _open_takehome(
    session: store.AsyncSession, actor_id: str, takehome_id: int
) -> tuple[Takehome, CandidateCard]:
    """A take-home still waiting for its answer, and its candidate's card; NotAllowed for
    a stale button (answered already, candidate closed) or someone off the team."""
    takehome = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
    if takehome is None:  # the same words as a candidate one may not see
        raise NotAllowed(NOT_FOUND)
    card = await allowed_card(
        session, user_id=actor_id, candidate_id=takehome.candidate_id, refusal=team_refusal
    )
    if takehome.status != "sent":
        raise NotAllowed(
            f"That take-home was already recorded as {STATUS_WORDS[takehome.status]}; "
            "nothing changed."
        )
    if card.stage not in OPEN_TO_TAKEHOMES:
        raise NotAllowed(f"{card.candidate.name} is {card.stage.value}; nothing changed.")
    return takehome, card


async def answer_form(
    db: Database, *, user_id: str, takehome_id: int
) -> tuple[Takehome, CandidateCard]:
    """What the received modal needs; raises NotAllowed when it should not open."""
    async with db.reader() as session:
        return await _open_takehome(session, user_id, takehome_id)


async def record(
    db: Database,
    *,
    actor_id: str,
    takehome_id: int,
    received: bool,
    url: str = "",
    now: datetime,
) -> Recorded:
    """Record the candidate's answer once. Received: the graders get to work, and the
    loop's feedback waits for their grades. Raises NotAllowed for a stale button."""
    link = None
    if received:
        link, problem = check_url(url)
        if problem:
            raise FormErrors({"url": problem})
    async with db.transaction() as session:
        seen = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
        if seen is None:  # the same words as a candidate one may not see
            raise NotAllowed(NOT_FOUND)
        candidate = await store.lock_candidate(session, candidate_id=seen.candidate_id)
        await session.refresh(seen)  # as it stands under the lock: answered once
        takehome, card = await _open_takehome(session, actor_id, takehome_id)
        await store.takehomes.record_answer(
            session, takehome=takehome, received=received, url=link, actor_id=actor_id, now=now
        )
        assert candidate is not None and candidate.id is not None
        session.add(
            store.history_note(
                candidate.id,
                card.stage.value,
                actor_id=actor_id,
                detail="take-home received" if received else "take-home not received",
                now=now,
            )
        )
        if received and candidate.feedback_complete_at is not None:
            # Its grades join the loop: the decision window waits for them, as it waits
            # for a newly scheduled interview's scorecards.
            await store.set_feedback_complete(session, candidate=candidate, at=None)
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        graders = await store.takehomes.graders_of(session, takehome_id=takehome_id)
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate.id)
        assert updated is not None
        spec = template_named(card.role.template).takehome
        return Recorded(updated, takehome, spec, graders)


# A new due time ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    card: CandidateCard
    takehome: Takehome
    before: datetime  # the due time it had


DUE_CHANGED_MEANWHILE = (
    "This take-home's due time changed while the form was open. Close this form and "
    "open it again from the card."
)
SAME_DUE = "That is the due time already: pick another, or cancel."


async def move_due(
    db: Database,
    *,
    actor_id: str,
    takehome_id: int,
    seen_due: datetime,
    due_at: datetime | None,
    reason: str,
    now: datetime,
) -> Moved:
    """A new due time for a take-home still out (the candidate asked for the weekend):
    its clock follows it, a due time already passed included, and the history says who
    moved it, from when to when, and why. `seen_due`: the due time the form showed; a
    change made meanwhile is refused on the form, not overwritten."""
    errors: dict[str, str] = {}
    problem = future_problem(due_at, now=now, within=MAX_WINDOW, words=DUE_WORDS)
    if problem:
        errors["due"] = problem
    if problem := too_long("reason", reason.strip(), MAX_REASON):
        errors["reason"] = problem
    if errors:
        raise FormErrors(errors)
    assert due_at is not None
    async with db.transaction() as session:
        seen = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
        if seen is None:  # the same words as a candidate one may not see
            raise NotAllowed(NOT_FOUND)
        await store.lock_candidate(session, candidate_id=seen.candidate_id)
        await session.refresh(seen)  # as it stands under the lock
        takehome, card = await _open_takehome(session, actor_id, takehome_id)
        if takehome.due_at != seen_due:
            raise FormErrors({"due": DUE_CHANGED_MEANWHILE})
        if takehome.due_at == due_at:
            raise FormErrors({"due": SAME_DUE})
        before, takehome.due_at = takehome.due_at, due_at
        session.add(
            store.history_note(
                takehome.candidate_id,
                card.stage.value,
                actor_id=actor_id,
                detail=f"take-home due {in_utc(due_at)} instead of {in_utc(before)}",
                note=reason.strip(),
                now=now,
            )
        )
        await store.replan_clocks(session, candidate_id=takehome.candidate_id, now=now)
        updated = await card_in(session, user_id=actor_id, candidate_id=takehome.candidate_id)
        assert updated is not None
        return Moved(updated, takehome, before)


# Other graders -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradersChanged:
    card: CandidateCard
    takehome: Takehome
    spec: TakehomeSpec | None
    added: list[str]
    removed: list[str]
    # Taking off the last grader awaited completed the loop's feedback, at `at`.
    completed: bool
    at: datetime


GRADERS_CHANGED_MEANWHILE = (
    "Someone changed this take-home's graders while the form was open. Close this form "
    "and open it again from the card."
)
SAME_GRADERS = "Those are its graders already: add or take someone off, or cancel."
ALL_GRADED = "Every grader of it has graded; its graders can no longer change."


async def _changeable(
    session: store.AsyncSession, actor_id: str, takehome_id: int
) -> tuple[Takehome, CandidateCard, list[str], set[str]]:
    """A take-home whose graders may still change (out, or received with a grade still
    awaited), its card, its graders and who of them graded; NotAllowed otherwise."""
    takehome = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
    if takehome is None:  # the same words as a candidate one may not see
        raise NotAllowed(NOT_FOUND)
    card = await allowed_card(
        session, user_id=actor_id, candidate_id=takehome.candidate_id, refusal=team_refusal
    )
    if takehome.status == "not_received":
        raise NotAllowed("That take-home was recorded as not received; nothing to grade.")
    if card.stage not in OPEN_TO_TAKEHOMES:
        raise NotAllowed(f"{card.candidate.name} is {card.stage.value}; nothing changed.")
    graders = await store.takehomes.graders_of(session, takehome_id=takehome_id)
    graded = {
        g.grader_id for g in await store.takehomes.grades_of(session, takehome_id=takehome_id)
    }
    if takehome.status == "received" and set(graders) <= graded:
        raise NotAllowed(ALL_GRADED)
    return takehome, card, graders, graded


async def graders_form(
    db: Database, *, user_id: str, takehome_id: int
) -> tuple[Takehome, CandidateCard, list[str]]:
    """What the graders form needs; raises NotAllowed when it should not open."""
    async with db.reader() as session:
        takehome, card, graders, _ = await _changeable(session, user_id, takehome_id)
    return takehome, card, graders


async def change_graders(
    db: Database,
    *,
    actor_id: str,
    takehome_id: int,
    seen: Collection[str],
    grader_ids: Collection[str],
    now: datetime,
) -> GradersChanged:
    """Other graders for a take-home (one is away, or left): those who graded stay, since
    their grade counts. Taking off the last grader awaited completes the loop's feedback
    as their grade would have. `seen`: the graders the form showed; a change made
    meanwhile is refused on the form."""
    wanted = set(grader_ids)
    if not wanted:
        raise FormErrors({"graders": "Pick at least one grader."})
    if len(wanted) > MAX_GRADERS:
        raise FormErrors({"graders": f"Pick at most {MAX_GRADERS} graders."})
    async with db.transaction() as session:
        found = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
        if found is None:  # the same words as a candidate one may not see
            raise NotAllowed(NOT_FOUND)
        candidate = await store.lock_candidate(session, candidate_id=found.candidate_id)
        assert candidate is not None and candidate.id is not None
        await session.refresh(found)  # as it stands under the lock
        takehome, card, graders, graded = await _changeable(session, actor_id, takehome_id)
        if set(graders) != set(seen):
            raise FormErrors({"graders": GRADERS_CHANGED_MEANWHILE})
        kept = graded - wanted
        if kept:
            who = "Someone you took off has" if len(kept) == 1 else f"{len(kept)} you took off have"
            raise FormErrors(
                {"graders": f"{who} graded it already: their grade counts, so they stay on."}
            )
        added, removed = sorted(wanted - set(graders)), sorted(set(graders) - wanted)
        if not added and not removed:
            raise FormErrors({"graders": SAME_GRADERS})
        await store.takehomes.change_graders(
            session, takehome_id=takehome_id, add=added, remove=removed
        )
        session.add(
            store.history_note(
                candidate.id,
                card.stage.value,
                actor_id=actor_id,
                detail=_graders_detail(added, removed),
                now=now,
            )
        )
        await store.replan_clocks(session, candidate_id=candidate.id, now=now)
        completed = takehome.status == "received" and await store.complete_feedback(
            session, candidate=candidate, now=now
        )
        updated = await card_in(session, user_id=actor_id, candidate_id=candidate.id)
        assert updated is not None
        spec = template_named(card.role.template).takehome
        return GradersChanged(updated, takehome, spec, added, removed, completed, now)


def _graders_detail(added: list[str], removed: list[str]) -> str:
    parts = []
    if added:
        parts.append("added " + ", ".join(f"<@{g}>" for g in added))
    if removed:
        parts.append("took off " + ", ".join(f"<@{g}>" for g in removed))
    return "take-home graders: " + "; ".join(parts)


# Grading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeContext:
    """Everything the grading modal needs for one grader and take-home."""

    takehome: Takehome
    candidate: Candidate
    role: Role
    team: Team
    template: Template
    spec: TakehomeSpec
    current: TakehomeGrade | None = None  # the grader's grade, when they are editing it
    ratings: dict[str, TakehomeRating] = field(default_factory=dict)  # part key -> its


async def _grade_context(
    session: store.AsyncSession, *, user_id: str, takehome_id: int
) -> GradeContext:
    takehome = await store.takehomes.get_takehome(session, takehome_id=takehome_id)
    graders = await store.takehomes.graders_of(session, takehome_id=takehome_id) if takehome else []
    if takehome is None or user_id not in graders:
        raise NotAllowed(NOT_A_GRADER)
    with_role = await store.candidate_with_role(session, candidate_id=takehome.candidate_id)
    assert with_role is not None
    candidate, role_with_team = with_role
    still_open(candidate, stages=OPEN_TO_TAKEHOMES, closed=_grading_closed)
    if takehome.status != "received":
        state = "has not come in yet" if takehome.status == "sent" else "was not received"
        raise NotAllowed(f"{candidate.name}'s take-home {state}: there is nothing to grade.")
    template = template_named(role_with_team.role.template)
    if template.takehome is None:
        raise NotAllowed(
            f"The {role_with_team.role.title} role's template no longer has a take-home."
        )
    mine = await _grade_of(session, takehome_id=takehome_id, grader_id=user_id)
    ratings = (
        {
            r.part: r
            for r in await store.takehomes.part_ratings_of(session, grade_ids=[mine.id or 0])
        }
        if mine is not None
        else {}
    )
    return GradeContext(
        takehome,
        candidate,
        role_with_team.role,
        role_with_team.team,
        template,
        template.takehome,
        mine,
        ratings,
    )


async def _edited(
    session: store.AsyncSession,
    context: GradeContext,
    checked: GradeInput,
    *,
    grader_id: str,
    base_version: int,
    now: datetime,
) -> TakehomeGrade:
    """The grader's grade as edited, under the candidate's lock: read again there, so two
    windows never both replace the same version."""
    takehome_id = context.takehome.id or 0
    mine = await _grade_of(session, takehome_id=takehome_id, grader_id=grader_id)
    if mine is None or mine.version != base_version:
        raise FormErrors({"summary": GRADE_CHANGED_MEANWHILE})
    before = {
        r.part: (r.rating, r.evidence)
        for r in await store.takehomes.part_ratings_of(session, grade_ids=[mine.id or 0])
    }
    if (mine.summary, before) == (checked.summary, checked.ratings):
        raise FormErrors({"summary": SAME_GRADE})
    return await store.takehomes.edit_grade(
        session, grade=mine, summary=checked.summary, ratings=checked.ratings, now=now
    )


async def _grade_of(
    session: store.AsyncSession, *, takehome_id: int, grader_id: str
) -> TakehomeGrade | None:
    grades = await store.takehomes.grades_of(session, takehome_id=takehome_id)
    return next((g for g in grades if g.grader_id == grader_id), None)


def _grading_closed(candidate: Candidate) -> str:
    return f"{candidate.name} is in {candidate.stage}, so grading is closed."


async def grade_context(db: Database, *, user_id: str, takehome_id: int) -> GradeContext:
    """Raises NotAllowed unless the user grades this received take-home (their grade, if
    in, comes with it: the form opens on it to edit)."""
    async with db.reader() as session:
        return await _grade_context(session, user_id=user_id, takehome_id=takehome_id)


@dataclass(frozen=True)
class Graded:
    context: GradeContext
    grade: TakehomeGrade
    view: TakehomeView | None  # as the grader now sees it: others' grades included
    completed: bool  # this was the loop's last piece of feedback

    @property
    def edited(self) -> bool:
        return self.grade.version > 1


GRADE_CHANGED_MEANWHILE = (
    "Your grade was changed from another window since you opened this one: close it and "
    "open it again to edit the latest."
)
SAME_GRADE = "This reads the same as your grade: change a rating or the summary, or close it."


async def submit_grade(
    db: Database,
    *,
    user_id: str,
    takehome_id: int,
    form: GradeForm,
    now: datetime,
    base_version: int = 0,
) -> Graded:
    """Store the grader's grade, exactly once; like a scorecard, it may complete the loop.
    `base_version`: the version of their grade the form was opened on, to edit it (0: a
    first grade). An edit made meanwhile elsewhere is refused, not overwritten."""
    async with db.reader() as session:
        context = await _grade_context(session, user_id=user_id, takehome_id=takehome_id)
    checked, errors = check_grade(
        context.spec.parts, form, max_summary=MAX_SUMMARY, max_evidence=MAX_EVIDENCE
    )
    if errors or checked is None:
        raise FormErrors(errors)
    async with db.transaction() as session:
        candidate = await lock_open(
            session,
            candidate_id=context.candidate.id or 0,
            stages=OPEN_TO_TAKEHOMES,
            closed=_grading_closed,
        )
        assert candidate.id is not None
        if base_version:
            # An edit: the loop's feedback was complete or not before it, as it stays.
            grade = await _edited(
                session, context, checked, grader_id=user_id, base_version=base_version, now=now
            )
            completes = False
        else:
            try:
                grade = await store.takehomes.add_grade(
                    session,
                    takehome_id=takehome_id,
                    grader_id=user_id,
                    summary=checked.summary,
                    ratings=checked.ratings,
                    now=now,
                )
            except store.takehomes.GradeConflict:
                raise FormErrors(
                    {"summary": "Your grade was just saved from another window; nothing changed."}
                ) from None
            await store.replan_clocks(session, candidate_id=candidate.id, now=now)
            completes = await store.complete_feedback(session, candidate=candidate, now=now)
        view = await takehome_in(
            session,
            viewer_id=user_id,
            candidate=candidate,
            team=context.team,
            template=context.template,
        )
    return Graded(context, grade, view, completes)
