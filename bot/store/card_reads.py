"""What a candidate's status card reads, read ahead in one statement (prepared.Bundle).

A card reads the candidate with their role and team, whom they see (their interviewers
and graders, for a viewer outside the hiring team), their latest moves and changes,
their interviews and seats, scorecards and ratings, latest take-home, open offer and
clock pauses: each a statement of its own, keyed on the candidate alone. On PostgreSQL
`read_card_ahead` sends them together first; the card's reads then find their rows in
the session. What depends on those rows (a take-home's grades, the panel's days away,
who cancelled an interview) is still read after them, when there is any."""

from __future__ import annotations

from bot.store.candidates import RECENT_EVENTS
from bot.store.changes import CHANGES_OF_CANDIDATE
from bot.store.interviews import RATINGS_OF_CANDIDATE, SCORECARDS_OF, SEATS_OF
from bot.store.offers import OPEN_OFFER
from bot.store.pauses import PAUSES_OF_CANDIDATE
from bot.store.prepared import Bundle, Reading
from bot.store.roles import CANDIDATE_WITH_ROLE
from bot.store.takehomes import GRADER_IDS_OF, LATEST_TAKEHOME

_CARD = Bundle(
    CANDIDATE_WITH_ROLE,
    GRADER_IDS_OF,
    RECENT_EVENTS,
    CHANGES_OF_CANDIDATE,
    SEATS_OF,
    SCORECARDS_OF,
    RATINGS_OF_CANDIDATE,
    LATEST_TAKEHOME,
    OPEN_OFFER,
    PAUSES_OF_CANDIDATE,
)


async def read_card_ahead(session: Reading, *, candidate_id: int, history: int) -> None:
    """`history`: as many latest moves and changes as the card shows."""
    await _CARD.read_ahead(session, {"candidate_id": candidate_id, "limit": history})
