"""Candidates from a CSV file, Slack-free and database-free: decode the bytes, find the
delimiter, map the headings, check each row, and sort the rows into new, already
present, duplicates and problems (each with its line and column).

Real files come from spreadsheets and applicant-tracking systems: UTF-8 with or
without a byte-order mark, Excel's Windows-1252, commas or semicolons (Excel in much
of Europe), quoted fields with line breaks. Headings are matched forgivingly (case,
spaces, punctuation, common synonyms), including those of the candidate spreadsheets
of Greenhouse and Lever (README, "Importing candidates").
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from bot.domain.limits import MAX_CANDIDATE_NOTE, MAX_EMAIL, MAX_LINKS, MAX_NAME
from bot.domain.links import scripted_link
from bot.domain.names import clean_name, erased_email_digest, erased_name_digest, name_key
from bot.domain.stages import Stage, parse_stage

MAX_BYTES = 5 * 1024 * 1024  # a 5 MB CSV holds some 50,000 candidates: plenty for one file
MAX_SOURCE = 200
MAX_FIELD = 100_000  # one cell; csv's own limit is 131,072 and raises past it

FIELDS = ("name", "first_name", "last_name", "email", "role", "stage", "links", "source", "note")

# Heading (lower case, letters and digits only) -> field. Greenhouse's bulk-import
# spreadsheet: First Name, Last Name, Email, Job, Source, Notes, Website, Social Media;
# its "Title" and "Company" are the candidate's current job, not the role, so they are
# left alone. Lever's: Full name / Full-Name, Email, Stage, Sources, Origin.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "fullname",
        "candidate",
        "candidatename",
        "candidatefullname",
        "applicant",
        "applicantname",
    ),
    "first_name": ("firstname", "givenname", "first", "forename"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "email": (
        "email",
        "emails",
        "emailaddress",
        "emailaddresses",
        "mail",
        "candidateemail",
        "primaryemail",
        "personalemail",
    ),
    "role": (
        "role",
        "roletitle",
        "job",
        "jobs",
        "jobname",
        "position",
        "posting",
        "postingtitle",
        "opening",
        "requisition",
        "appliedfor",
    ),
    "stage": (
        "stage",
        "stages",
        "status",
        "currentstage",
        "pipelinestage",
        "interviewstage",
        "currentinterviewstage",
        "milestone",
        "prospectstage",
    ),
    "links": (
        "links",
        "link",
        "url",
        "urls",
        "linkedin",
        "linkedinurl",
        "linkedinprofile",
        "website",
        "websites",
        "profileurl",
        "socialmedia",
        "portfolio",
        "github",
        "resumeurl",
        "resumelink",
    ),
    "source": ("source", "sources", "origin", "sourcedfrom", "sourcename", "referredby"),
    "note": ("note", "notes", "comment", "comments", "freenote", "remarks"),
}
HEADINGS: dict[str, str] = {h: f for f, hs in SYNONYMS.items() for h in hs}

# Stage words of spreadsheets and applicant-tracking systems, beyond our own names.
STAGE_SYNONYMS: dict[str, Stage] = {
    "new": Stage.SOURCED,
    "lead": Stage.SOURCED,
    "newlead": Stage.SOURCED,
    "prospect": Stage.SOURCED,
    "applied": Stage.SOURCED,
    "newapplicant": Stage.SOURCED,
    "applicationreview": Stage.SOURCED,
    "reachedout": Stage.SOURCED,
    "contacted": Stage.SOURCED,
    "screen": Stage.SCREENING,
    "phonescreen": Stage.SCREENING,
    "recruiterscreen": Stage.SCREENING,
    "interview": Stage.INTERVIEWING,
    "interviews": Stage.INTERVIEWING,
    "onsite": Stage.INTERVIEWING,
    "technicalinterview": Stage.INTERVIEWING,
    "finalinterview": Stage.INTERVIEWING,
    "debrief": Stage.DECISION,
    "offerextended": Stage.OFFER,
    "offered": Stage.OFFER,
    "archived": Stage.REJECTED,
    "disqualified": Stage.REJECTED,
    "withdrew": Stage.WITHDRAWN,
}
STAGE_NAMES = ", ".join(s.value for s in Stage)

_Report = Callable[[str, str], None]  # (field, message): a problem in the row being read


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class RoleRef:
    id: int
    title: str
    closed: bool = False  # named in a file, it is a problem of its own (takes nobody new)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # "C (Email)": the spreadsheet's letter and the file's own heading
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


# A row whose role cell is empty, in a file read with no role picked for it: the picker
# is offered (bot.usecases.importer.preview), so "pick one" has something to pick with.
NO_ROLE = "no role: fill in the role, or pick one for the whole file."


@dataclass(frozen=True)
class Row:
    """A checked row, ready to become a candidate."""

    line: int
    name: str
    key: str  # name_key(name): the duplicate rule of /hire add
    email: str | None
    role: RoleRef
    stage: Stage
    links: str | None
    source: str | None
    note: str | None
    # Its role is closed: a problem unless the row is someone on file already (a file
    # exported before the role closed, shared again), told apart only against the store.
    closed: Problem | None = None


@dataclass(frozen=True)
class Parsed:
    rows: list[Row]
    problems: list[Problem]
    total: int  # data rows, blank ones not counted
    has_role_column: bool
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class Present:
    row: Row
    candidate_id: int
    stage: str = ""  # theirs on file: rejected or withdrawn ones are not brought back


@dataclass(frozen=True)
class Duplicate:
    row: Row
    first_line: int  # the earlier line of the file with the same person


@dataclass(frozen=True)
class Preview:
    """What importing the file would do; `new` is what Import adds."""

    total: int
    new: list[Row]
    present: list[Present]
    duplicates: list[Duplicate]
    problems: list[Problem]
    encoding: str = "UTF-8"
    delimiter: str = ","
    # Rows of people erased at their request (the candidate's number): not brought back.
    erased: list[Present] = field(default_factory=list)
    # Rows of new people left out only because their role is closed (in `problems` too).
    closed_rows: int = 0
    # New rows whose email someone already has in another role the importer may see:
    # (line, "Tom Becker, MLOps Engineer (hired)"). Imported all the same (another
    # application), but said, as /hire add says it.
    elsewhere: list[tuple[int, str]] = field(default_factory=list)

    @property
    def problem_rows(self) -> int:
        return len({p.line for p in self.problems})

    @property
    def skipped(self) -> int:
        return len(self.present) + len(self.duplicates) + len(self.erased)

    @property
    def roles(self) -> list[RoleRef]:
        seen: dict[int, RoleRef] = {}
        for row in self.new:
            seen.setdefault(row.role.id, row.role)
        return list(seen.values())


@dataclass
class Existing:
    """Candidates already in the target roles, by (role id, email) and (role id, name key)."""

    emails: dict[tuple[int, str], int] = field(default_factory=dict)
    names: dict[tuple[int, str], int] = field(default_factory=dict)
    # Erased at their request, by digest (their email's, in any role; their name's, which
    # names its role): the candidate's number.
    erased_emails: dict[str, int] = field(default_factory=dict)
    erased_names: dict[str, int] = field(default_factory=dict)
    stages: dict[int, str] = field(default_factory=dict)  # closed candidate -> their stage

    def add(self, *, candidate_id: int, role_id: int, key: str, email: str | None) -> None:
        if email:
            self.emails.setdefault((role_id, email.casefold()), candidate_id)
        self.names.setdefault((role_id, key), candidate_id)

    def erased(self, row: Row) -> int | None:
        """The number of a candidate erased at their request that this row is, by email
        in any role, else by name in the row's role."""
        if row.email:
            gone = self.erased_emails.get(erased_email_digest(row.email))
            if gone is not None:
                return gone
        return self.erased_names.get(erased_name_digest(row.role.id, row.name))

    def match(self, row: Row) -> int | None:
        """By email when the row has one on file, else by name within the role."""
        if row.email:
            same_email = self.emails.get((row.role.id, row.email.casefold()))
            if same_email is not None:
                return same_email
        return self.names.get((row.role.id, row.key))


# Reading the file -----------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read as."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "That looks like an Excel workbook, not a CSV file. In Excel choose File → "
            "Save As → “CSV UTF-8 (Comma delimited)” and share that file."
        )
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8 (BOM)"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return data.decode("utf-16", errors="replace"), "UTF-16"
    if b"\x00" in data[:4096]:
        raise ImportFileError("That file has binary data in it; I can read CSV text files only.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # Excel on Windows saves "CSV (Comma delimited)" in the system's code page; for
    # western European names that is Windows-1252. Latin-1 reads any byte at all.
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the heading line has most of, outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def heading_key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]", "", heading.replace("\ufeff", "").casefold())


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, its cells); a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            yield previous + 1, cells
            previous = reader.line_num
    except csv.Error as error:
        raise ImportFileError(
            f"I can't read the file past line {previous + 1}: {error}. Check for a "
            "quote that is opened and never closed."
        ) from None


@dataclass(frozen=True)
class _Columns:
    """Which cells hold which field; several columns may feed links, source and note."""

    by_field: dict[str, list[int]]
    labels: list[str]

    def label(self, field_name: str) -> str:
        indexes = self.by_field.get(field_name)
        if not indexes:
            return field_name
        return self.labels[indexes[0]]

    def values(self, cells: list[str], field_name: str) -> list[str]:
        out = []
        for index in self.by_field.get(field_name, []):
            value = cells[index].strip() if index < len(cells) else ""
            if value:
                out.append(value)
        return out


def map_headings(headings: list[str]) -> _Columns:
    by_field: dict[str, list[int]] = {}
    for index, heading in enumerate(headings):
        named = HEADINGS.get(heading_key(heading))
        if named is not None:
            by_field.setdefault(named, []).append(index)
    labels = [f"{column_letter(i)} ({h.strip() or 'no heading'})" for i, h in enumerate(headings)]
    return _Columns(by_field, labels)


# Checking rows -----------------------------------------------------------------------------


def parse(
    data: bytes,
    *,
    roles: Mapping[str, RoleRef],
    default_role: RoleRef | None = None,
) -> Parsed:
    """Read and check every row. `roles`: the roles rows may name, by name_key(title);
    `default_role`: for rows that name none (the --role option, the role picker)."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    records = _records(text, delimiter)
    header = next(records, None)
    if header is None or not any(cell.strip() for cell in header[1]):
        raise ImportFileError("The file is empty: I need a heading line and one row per person.")
    columns = map_headings(header[1])
    if "name" not in columns.by_field and not (
        "first_name" in columns.by_field or "last_name" in columns.by_field
    ):
        read = ", ".join(f"“{_short(cell.strip())}”" for cell in header[1][:8] if cell.strip())
        raise ImportFileError(
            "I found no column for the candidates' names. Give the file a heading line with "
            "a Name column (or First name and Last name), e.g. `Name,Email,Role,Stage`. "
            f"The headings I read: {read}."
        )
    rows: list[Row] = []
    problems: list[Problem] = []
    total = 0
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        total += 1
        row, row_problems = _check(line, cells, columns, roles, default_role)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if total == 0:  # a heading line alone: no role to ask for, nothing to preview
        raise ImportFileError(
            "The file has a heading line but no candidate rows: add one row per person "
            "under it, e.g. `Jane Doe,jane@example.com`."
        )
    return Parsed(rows, problems, total, "role" in columns.by_field, encoding, delimiter)


def _check(
    line: int,
    cells: list[str],
    columns: _Columns,
    roles: Mapping[str, RoleRef],
    default_role: RoleRef | None,
) -> tuple[Row | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(field_name: str, message: str) -> None:
        problems.append(Problem(line, columns.label(field_name), message))

    if any(len(cell) > MAX_FIELD for cell in cells):
        return None, [Problem(line, "?", f"a cell is longer than {MAX_FIELD:,} characters.")]
    name = _name(cells, columns)
    key = name_key(name)
    if not key:
        problem("name" if "name" in columns.by_field else "first_name", "the name is missing.")
    elif len(name) > MAX_NAME:
        problem("name", f"keep the name to {MAX_NAME:,} characters at most.")
    email = _email(cells, columns, problem)
    role = _role(cells, columns, roles, default_role, problem)
    stage = _stage(cells, columns, problem)
    links = "\n".join(columns.values(cells, "links")) or None
    if links and len(links) > MAX_LINKS:
        problem("links", f"keep the links to {MAX_LINKS:,} characters at most.")
    elif links and (scripted := scripted_link(links)):
        problem("links", f"“{scripted[:80]}” is not a web address.")
    source = "; ".join(columns.values(cells, "source")) or None
    if source and len(source) > MAX_SOURCE:
        problem("source", f"keep the source to {MAX_SOURCE:,} characters at most.")
    note = "\n".join(columns.values(cells, "note")) or None
    if note and len(note) > MAX_CANDIDATE_NOTE:
        problem("note", f"keep the note to {MAX_CANDIDATE_NOTE:,} characters at most.")
    closed = _closed(role, line, columns) if role is not None and role.closed else None
    if problems or role is None or stage is None:
        return None, [*problems, *([closed] if closed else [])]
    return Row(line, name, key, email, role, stage, links, source, note, closed), []


def _name(cells: list[str], columns: _Columns) -> str:
    whole = columns.values(cells, "name")
    if whole:
        return clean_name(whole[0])
    parts = columns.values(cells, "first_name")[:1] + columns.values(cells, "last_name")[:1]
    return clean_name(" ".join(parts))


_BRACKETED = re.compile(r"<([^<>\s]+@[^<>\s]+)>")


def _email(cells: list[str], columns: _Columns, problem: _Report) -> str | None:
    values = columns.values(cells, "email")
    if not values:
        return None
    cell = values[0].strip()
    # A mail program's "Ivy Jones <ivy@example.com>": the address in the brackets.
    bracketed = _BRACKETED.search(cell)
    # Lever puts several addresses in one cell, separated by commas: the first is kept.
    first = bracketed.group(1) if bracketed else re.split(r"[,;\s]+", cell)[0]
    try:
        email = normalized_email(first)
    except EmailNotValidError as error:
        problem("email", f"“{_short(cell)}” is not an email address: {error}")
        return None
    if len(email) > MAX_EMAIL:
        problem("email", f"keep the email to {MAX_EMAIL:,} characters at most.")
        return None
    return email


# An ASCII dot-atom local part: email_validator accepts it and leaves it unchanged.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> str:
    """A domain checked and normalised once: a file of 10,000 people has a few hundred."""
    return validate_email(f"x@{domain}", check_deliverability=False).domain


def normalized_email(address: str) -> str:
    """As `/hire add` stores it (email_validator, no DNS); EmailNotValidError if not one.
    Full validation costs some 0.3 ms an address, most of it on the domain, so plain
    addresses check their domain once per file and only the rest go the whole way."""
    local, at, domain = address.rpartition("@")
    if at and len(local) <= 64 and _PLAIN_LOCAL.fullmatch(local):
        return f"{local}@{_domain(domain)}"
    return validate_email(address, check_deliverability=False).normalized


def _role(
    cells: list[str],
    columns: _Columns,
    roles: Mapping[str, RoleRef],
    default_role: RoleRef | None,
    problem: _Report,
) -> RoleRef | None:
    values = columns.values(cells, "role")
    if not values:
        if default_role is None:
            problem("role", NO_ROLE)
        return default_role
    role = roles.get(name_key(values[0]))
    if role is None:
        # "MLOps" for "MLOps Engineer": the closest title, or the titles there are.
        titles = sorted({r.title for r in roles.values()})
        typed = name_key(values[0])
        close = [t for t in titles if typed and typed in name_key(t)] or difflib.get_close_matches(
            values[0], titles, n=1, cutoff=0.6
        )
        hint = (
            f" Did you mean “{_short(close[0])}”?"
            if close
            else f" Yours: {', '.join(f'“{_short(t)}”' for t in titles[:6])}."
            if titles
            else ""
        )
        problem(
            "role",
            f"no role called “{_short(values[0])}” among the roles you can add candidates "
            f"to.{hint}",
        )
    return role


def _closed(role: RoleRef, line: int, columns: _Columns) -> Problem:
    return Problem(
        line,
        columns.label("role"),
        f"{role.title} is closed and takes no new candidates: reopen it with "
        f"`/hire role reopen {role.title}`, or name an open role.",
    )


def _stage(cells: list[str], columns: _Columns, problem: _Report) -> Stage | None:
    values = columns.values(cells, "stage")
    if not values:
        return Stage.SOURCED
    stage = parse_stage(values[0]) or STAGE_SYNONYMS.get(heading_key(values[0]))
    if stage is None:
        problem("stage", f"I don't know the stage “{_short(values[0])}”. Stages: {STAGE_NAMES}.")
    return stage


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Sorting rows against what is stored ---------------------------------------------------------


def classify(parsed: Parsed, existing: Existing) -> Preview:
    """New rows, rows already in Loopkeeper, and repeats within the file itself."""
    new: list[Row] = []
    present: list[Present] = []
    duplicates: list[Duplicate] = []
    erased: list[Present] = []
    closed: list[Problem] = []  # rows for a closed role, of nobody on file
    seen = Existing()
    for row in parsed.rows:
        # A repeat within the file first: by email, and always by name, since the one open
        # candidate per name per role rule (uq_candidate_open_name) would refuse it. So a
        # file counts its repeats alike whether or not its first rows are imported yet.
        earlier = seen.match(row)
        if earlier is not None:
            duplicates.append(Duplicate(row, earlier))
            continue
        seen.add(candidate_id=row.line, role_id=row.role.id, key=row.key, email=row.email)
        stored = existing.match(row)
        if stored is not None:
            present.append(Present(row, stored, existing.stages.get(stored, "")))
            continue
        gone = existing.erased(row)
        if gone is not None:
            erased.append(Present(row, gone))
            continue
        if row.closed is not None:
            closed.append(row.closed)
            continue
        new.append(row)
    return Preview(
        parsed.total,
        new,
        present,
        duplicates,
        sorted([*parsed.problems, *closed], key=lambda p: p.line),
        parsed.encoding,
        parsed.delimiter,
        erased,
        closed_rows=len(closed),
    )


def event_note(row: Row, *, filename: str, how: str = "") -> str:
    """The stage event's note: where the candidate came from (the history line names who
    imported them). `how`: "from the command line", say. The row's own note is not here:
    it becomes a note on the candidate, which only the hiring team reads."""
    lines = [" ".join(filter(None, [f"imported from {_short(filename, 100)}", how]))]
    if row.source:
        lines.append(f"source: {row.source}")
    return "\n".join(lines)
