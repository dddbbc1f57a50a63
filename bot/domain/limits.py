"""How long each piece of text people type may be. Forms refuse longer values on the
field; the tables (bot/store/tables.py) size their columns from the same numbers."""

MAX_NAME = 150  # a candidate's name, a role's title
MAX_EMAIL = 254  # the longest address RFC 5321 allows
MAX_LINKS = 2000  # a candidate's links, one text
MAX_NOTE = 3000  # a stage event's note: the reason a person gave
MAX_CANDIDATE_NOTE = 2000  # a note on a candidate (/hire note, an import's Notes column)
MAX_SUMMARY = 3000  # a scorecard's written summary
MAX_EVIDENCE = 2000  # the evidence note under one competency
MAX_TAKEHOME_NOTE = 500  # the recruiter's note when sending a take-home
MAX_URL = 2000  # a submission link
MAX_TEMPLATE_SOURCE = 100_000  # an installed template's TOML, as shared
MAX_REASON = 500  # why an interview was cancelled, why someone can't make it
MAX_DAY_OFF_NAME = 80  # a company day off's name: "Christmas Day"


def too_long(what: str, text: str, limit: int) -> str | None:
    """What to tell someone whose `what` (the note, the reason, …) is over its limit, or
    None: one wording for every form."""
    return f"Keep the {what} to {limit:,} characters at most." if len(text) > limit else None


def required_text(text: str, *, field: str, limit: int, missing: str) -> tuple[str, dict[str, str]]:
    """A text a form needs, in its field `field` (the note, the reason): (it stripped, no
    errors), or ("", the error under `field`: `missing` when empty, too_long's when over
    `limit`)."""
    stripped = text.strip()
    problem = missing if not stripped else too_long(field, stripped, limit)
    return ("", {field: problem}) if problem else (stripped, {})
