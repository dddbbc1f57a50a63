"""Re-planning a candidate's clocks after one of their facts changed.

Deadlines are never patched where a fact changes: the sweep is the one place that
plans clocks. A change only marks the candidate's rows due now, so the next sweep
plans them anew from the facts as they stand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CTE, ColumnElement, bindparam, select, update

from bot.store.prepared import Prepared, Writing, dialect_of
from bot.store.tables import Alert, Candidate, Interview, Seat, Takehome, table_of


async def replan_clocks(session: Writing, *, candidate_id: int, now: datetime) -> None:
    """A fact of the candidate changed: have the next sweep plan its clocks anew.

    Alerts not yet sent are cancelled; if the new plan still wants one, the sweep
    brings it back under the same key. Objects the session holds keep the columns
    these set as they were: only the sweep reads them, in a session of its own.
    """
    params = {"of_candidate": candidate_id, "now": now}
    if dialect_of(session).name == "postgresql":
        await _REPLAN_AT_ONCE.rows(session, params)
        return
    for statement in REPLAN_EACH:
        await statement.rows(session, params)


# Every change to a candidate runs these four, so they are built once (docs/architecture.md,
# "Statements built once"), on the tables rather than the entities: an ORM-enabled UPDATE
# would also look for each row among the session's objects (and read back the seats it
# matched to find them), for columns nothing in the transaction reads again.
_candidate, _seat, _takehome, _alert, _interview = (
    table_of(model) for model in (Candidate, Seat, Takehome, Alert, Interview)
)
_REPLAN = (
    update(_candidate)
    .where(_candidate.c.id == bindparam("of_candidate"))
    .values(next_alert_at=bindparam("now")),
    update(_seat)
    .where(
        _seat.c.interview_id.in_(
            select(_interview.c.id).where(_interview.c.candidate_id == bindparam("of_candidate"))
        )
    )
    .values(next_alert_at=bindparam("now")),
    update(_takehome)
    .where(_takehome.c.candidate_id == bindparam("of_candidate"))
    .values(next_alert_at=bindparam("now")),
    update(_alert)
    .where(_alert.c.candidate_id == bindparam("of_candidate"), _alert.c.status == "pending")
    .values(status="cancelled", claimed_until=None),
)


def replan_ctes(only_if: ColumnElement[bool] | None = None) -> list[CTE]:
    """The four as CTEs (PostgreSQL), for a statement that makes its own change and
    re-plans in the same round trip (interviews.ADD_SCORECARD_AT_ONCE), when `only_if`
    holds: its parameters then include `of_candidate` and `now`."""
    return [
        (statement if only_if is None else statement.where(only_if)).cte(f"replan_{n}")
        for n, statement in enumerate(_REPLAN)
    ]


# PostgreSQL runs the four as one statement, each UPDATE a CTE of the last (they touch
# four tables, so none sees another's rows): one round trip to the server instead of
# four, on every change to a candidate. SQLite has no UPDATE in a CTE, nor a server to
# make the trip to.
_REPLAN_AT_ONCE = Prepared(_REPLAN[-1].add_cte(*replan_ctes()[:-1]))
# Run on the driver (bot.store.prepared): nothing reads their rows.
REPLAN_EACH = tuple(Prepared(statement) for statement in _REPLAN)
