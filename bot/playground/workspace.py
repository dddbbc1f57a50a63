"""The playground's pretend workspace: its people, each wearing one hat, and its channels."""

from __future__ import annotations

from dataclasses import dataclass

WORKSPACE_NAME = "Acme (playground)"
BOT_NAME = "Loopkeeper"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    hat: str
    tz: str


ADMIN = Person("UADMIN01", "Alex Kim", "admin", "Europe/Berlin")
RECRUITER = Person("UREC0001", "Riya Patel", "recruiter", "Europe/Berlin")
HIRING_MANAGER = Person("UHM00001", "Hana Mori", "hiring manager", "Europe/Berlin")
INTERVIEWER_1 = Person("UINT0001", "Ivan Petrov", "interviewer", "Europe/Berlin")
INTERVIEWER_2 = Person("UINT0002", "Ines Garcia", "interviewer", "Europe/London")
INTERVIEWER_3 = Person("UINT0003", "Theo Brandt", "interviewer", "America/New_York")
OUTSIDER = Person("UOUT0001", "Olivia Stone", "outsider", "Europe/Berlin")

PEOPLE = (
    ADMIN,
    RECRUITER,
    HIRING_MANAGER,
    INTERVIEWER_1,
    INTERVIEWER_2,
    INTERVIEWER_3,
    OUTSIDER,
)
BY_ID = {person.id: person for person in PEOPLE}

# Working hours, dates and the weekly report follow this zone's clock in the playground.
HOME_TZ = "Europe/Berlin"


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    kind: str  # "private" or "public"
    members: frozenset[str]


# The role's private hiring channel holds its team; everyone is in #general, where
# Loopkeeper never posts about candidates.
HIRING = Channel(
    "GHIRING01",
    "mlops-hiring",
    "private",
    frozenset({ADMIN.id, RECRUITER.id, HIRING_MANAGER.id}),
)
GENERAL = Channel("C0GENERAL", "general", "public", frozenset(p.id for p in PEOPLE))
CHANNELS = (HIRING, GENERAL)


def dm_of(user_id: str) -> str:
    """The id of a person's DM with Loopkeeper, as the stand-in names it."""
    return "D" + user_id
