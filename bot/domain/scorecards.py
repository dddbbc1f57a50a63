"""Scorecard templates: TOML files beside this module, loaded and checked at start-up, and
versions installed from Slack, checked the same way (parse_template) with each problem's line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from bot.domain.limits import too_long

TEMPLATE_DIR = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "mlops"
MAX_PLAN_STAGES = 3  # at most three interview stages, one week (docs/clocks.md)
MAX_COMPETENCIES = 12  # what one scorecard modal holds within Slack's 100 blocks
MAX_TAKEHOME_PARTS = 6  # two inputs a part in the grading modal, and one DM of the rubric
MAX_TAKEHOME_LINKS = 5


class TemplateError(Exception):
    """A template file that cannot be used; the message names the file and the problem."""


class Competency(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=75)
    description: str = Field(min_length=1, max_length=300)
    strong: str = Field(min_length=1, max_length=500)
    weak: str = Field(min_length=1, max_length=500)


class PlanStage(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=75)
    description: str = Field(min_length=1, max_length=500)
    minutes: int = Field(ge=10, le=480)
    competencies: list[str] = Field(min_length=1)


class TakehomePart(BaseModel):
    """One part of a take-home, graded against its own rubric; it rates one competency."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1, max_length=75)
    competency: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    strong: str = Field(min_length=1, max_length=500)
    weak: str = Field(min_length=1, max_length=500)


class TakehomeSpec(BaseModel):
    """A role's take-home assignment: what the candidate gets, and how it is graded."""

    brief: str = Field(min_length=1, max_length=2000)
    links: list[str] = Field(default_factory=list, max_length=MAX_TAKEHOME_LINKS)
    hours: int = Field(ge=1, le=12)  # how long the work should take the candidate
    window_hours: int = Field(default=72, ge=1, le=24 * 14)  # the default submission window
    parts: list[TakehomePart] = Field(min_length=1, max_length=MAX_TAKEHOME_PARTS)

    @field_validator("links")
    @classmethod
    def _links_are_web_addresses(cls, links: list[str]) -> list[str]:
        for link in links:
            if not is_web_address(link):
                raise ValueError(f"{link!r} is not an http(s) address")
        return links


class TemplateFields(BaseModel):
    """A template's fields, each checked on its own; Template adds the checks across them."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    title: str = Field(min_length=1, max_length=75)
    competencies: list[Competency] = Field(min_length=1, max_length=MAX_COMPETENCIES)
    plan: list[PlanStage] = Field(min_length=1, max_length=MAX_PLAN_STAGES)
    takehome: TakehomeSpec | None = None


class Template(TemplateFields):
    @model_validator(mode="after")
    def _consistent(self) -> Template:
        problems = consistency_problems(self)
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self


Loc = tuple[int | str, ...]


def consistency_problems(template: TemplateFields) -> list[tuple[Loc, str]]:
    """What no single field shows: repeated keys, and plan stages naming competencies the
    template does not have; each with its place in the file."""
    return cross_problems(
        [c.key for c in template.competencies],
        [(s.key, s.competencies) for s in template.plan],
        None,
    )


def cross_problems(
    competencies: Sequence[str | None],
    plan: Sequence[tuple[str, Sequence[str]] | None],
    parts: Sequence[tuple[str, str] | None] | None,
) -> list[tuple[Loc, str]]:
    """The checks across fields, on what of them could be read (None: an entry too
    broken to check, whose own problem is said): repeated keys, plan stages naming
    competencies the template does not have, and the take-home's `parts` (key,
    competency) against the competencies."""
    problems: list[tuple[Loc, str]] = []
    keys = [k for k in competencies if k is not None]
    for n, key in enumerate(competencies):
        if key is not None and key in competencies[:n]:
            problems.append((("competencies", n, "key"), "two competencies share a key"))
    stage_keys = [stage[0] if stage else None for stage in plan]
    for n, key in enumerate(stage_keys):
        if key is not None and key in stage_keys[:n]:
            problems.append((("plan", n, "key"), "two plan stages share a key"))
    for n, stage in enumerate(plan):
        unknown = sorted(set(stage[1]) - set(keys)) if stage else []
        if stage and unknown:
            problems.append(
                (
                    ("plan", n, "competencies"),
                    f"plan stage “{stage[0]}” names competencies the template does not "
                    f"define: {', '.join(unknown)}",
                )
            )
    seen = set()
    for n, part in enumerate(parts or []):
        if part is None:
            continue
        key, competency = part
        if key in seen:
            problems.append((("takehome", "parts", n, "key"), f"{key!r} is used by another part"))
        seen.add(key)
        if competency not in keys:
            problems.append(
                (
                    ("takehome", "parts", n, "competency"),
                    f"{competency!r} is not a competency of this template",
                )
            )
    return problems


def is_web_address(text: str) -> bool:
    """An http(s) URL with a host and no spaces: what a link in Slack can open."""
    parsed = urlsplit(text)
    return parsed.scheme in ("http", "https") and bool(parsed.hostname) and " " not in text


def field_path(loc: tuple[int | str, ...]) -> str:
    """`takehome.parts[1].competency`: where in the file a problem is."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f"{'.' if path else ''}{part}"
    return path or "template"


def takehome_problems(template: TemplateFields) -> list[tuple[Loc, str]]:
    """What pydantic cannot see field by field: the take-home's parts against the
    template's competencies, each with its place in the file."""
    if template.takehome is None:
        return []
    parts = [(part.key, part.competency) for part in template.takehome.parts]
    return cross_problems([c.key for c in template.competencies], [], parts)


def _raw_cross_problems(data: object) -> list[tuple[Loc, str]]:
    """cross_problems on a file that failed its field checks, from what can be read of
    it: so one round names every problem, not those across fields only once the rest
    is fixed."""
    if not isinstance(data, dict):
        return []

    def entries(value: object) -> list[object]:
        return value if isinstance(value, list) else []

    def text(entry: object, key: str) -> str | None:
        found = entry.get(key) if isinstance(entry, dict) else None
        return found if isinstance(found, str) else None

    competencies = [text(c, "key") for c in entries(data.get("competencies"))]
    plan: list[tuple[str, Sequence[str]] | None] = []
    for stage in entries(data.get("plan")):
        key = text(stage, "key")
        named = stage.get("competencies") if isinstance(stage, dict) else None
        if key is not None and isinstance(named, list) and all(isinstance(c, str) for c in named):
            plan.append((key, [str(c) for c in named]))
        else:
            plan.append(None)
    takehome = data.get("takehome")
    parts: list[tuple[str, str] | None] = []
    for part in entries(takehome.get("parts") if isinstance(takehome, dict) else None):
        key, competency = text(part, "key"), text(part, "competency")
        parts.append((key, competency) if key is not None and competency is not None else None)
    return cross_problems(competencies, plan, parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template file, and the line it is on when one can be named."""

    line: int | None
    where: str  # `competencies[1].name`, or "" for a TOML syntax error (its message says)
    message: str

    def __str__(self) -> str:
        if not self.where:
            return self.message
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.where}: {self.message}"


class TemplateProblems(TemplateError):
    """A template text that does not pass the checks: every problem, with its line."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        super().__init__(f"{source}: {'; '.join(str(p) for p in problems)}")
        self.source = source
        self.problems = problems


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")


def _tables(text: str) -> list[tuple[Loc, int]]:
    """Each line's table as a place in the parsed data (`("plan", 1)` for the second
    `[[plan]]`), by line number from 1; lines inside multi-line strings belong to the
    table around them."""
    counts: dict[str, int] = {}
    table: Loc = ()
    in_string = False
    places: list[tuple[Loc, int]] = []
    for number, line in enumerate(text.splitlines(), 1):
        header = None if in_string else _HEADER.match(line)
        if header:
            path = tuple(part.strip() for part in header.group(2).split("."))
            if header.group(1) == "[[":
                dotted = ".".join(path)
                counts[dotted] = counts.get(dotted, -1) + 1
                table = (*path, counts[dotted])
            else:
                table = path
            places.append((table, number))
            continue
        for quote in ('"""', "'''"):
            if line.count(quote) % 2:
                in_string = not in_string
        places.append((table, number))
    return places


def line_of(text: str, loc: Loc) -> int | None:
    """The line a problem at `loc` (pydantic's place in the data) is on: the line of its
    key in the innermost table the place is in, else that table's header line."""
    places = _tables(text)
    lines = text.splitlines()
    best: Loc | None = None
    for table, _ in places:
        if len(table) > len(best or ()) and loc[: len(table)] == table:
            best = table
    table = best or ()
    rest = loc[len(table) :]
    in_table = [n for t, n in places if t == table]
    key = next((part for part in rest if isinstance(part, str)), None)
    if key is not None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in in_table:
            if pattern.match(lines[number - 1]):
                return number
    if table:
        return in_table[0] if in_table else None
    # A whole array of tables (too many `[[plan]]`s): where its first one starts.
    return next((n for t, n in places if t[: len(loc)] == loc and len(t) > len(loc)), None)


def parse_template(text: str, source: str) -> Template:
    """A template from TOML text, checked as the shipped ones are; TemplateProblems names
    every problem with its line. `source` names the file in the message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_POSITION.search(str(error))
        line = int(found.group(1)) if found else None
        words = str(error)
        if words.startswith("Illegal character '\\n'"):  # tomllib's words for it
            words += ": a quote is not closed on that line"
        raise TemplateProblems(source, [Problem(line, "", words)]) from None
    try:
        fields = TemplateFields.model_validate(data)
    except ValidationError as error:
        fields_wrong = [(tuple(e["loc"]), plain_words(e)) for e in error.errors()]
        said = {loc for loc, _ in fields_wrong}
        across = [p for p in _raw_cross_problems(data) if p[0] not in said]
        raise TemplateProblems(source, _by_line(text, fields_wrong + across)) from None
    found_problems = consistency_problems(fields) + takehome_problems(fields)
    if found_problems:
        raise TemplateProblems(source, _by_line(text, found_problems))
    return Template.model_validate(fields.model_dump())


def _by_line(text: str, found: Sequence[tuple[Loc, str]]) -> list[Problem]:
    problems = [Problem(line_of(text, loc), field_path(loc), message) for loc, message in found]
    return sorted(problems, key=lambda p: p.line or 0)


# What the file's fields must look like, as its writer reads it: pydantic's words name
# regular expressions and "validation".
_PATTERNS = {
    r"^[a-z][a-z0-9_]{0,31}$": "lowercase letters, digits and _, starting with a letter "
    "(at most 32)",
    r"^[a-z][a-z0-9_-]{0,63}$": "lowercase letters, digits, _ and -, starting with a letter "
    "(at most 64)",
}


def plain_words(error: Any) -> str:
    """One of pydantic's problems (an ErrorDetails) as its writer would say it."""
    kind, ctx = error["type"], error.get("ctx") or {}
    match kind:
        case "string_pattern_mismatch" if ctx.get("pattern") in _PATTERNS:
            return f"use {_PATTERNS[ctx['pattern']]}"
        case "string_too_short":
            return "must not be empty"
        case "string_too_long":
            return f"at most {ctx.get('max_length')} characters"
        case "too_short":
            return f"needs at least {ctx.get('min_length')}"
        case "too_long":
            return f"at most {ctx.get('max_length')} entries, not {ctx.get('actual_length')}"
        case "greater_than_equal":
            return f"at least {ctx.get('ge')}"
        case "less_than_equal":
            return f"at most {ctx.get('le')}"
        case "missing":
            return "missing: add it"
        case "int_type" | "int_parsing" | "int_from_float":
            return "a whole number, without quotes"
        case "string_type":
            return "text, in quotes"
        case "list_type":
            return "a list, in [ ]"
        case "value_error":
            return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def load_template(path: Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: {error}") from None
    template = parse_template(text, str(path))
    if template.name != path.stem:
        raise TemplateError(f"{path}: name {template.name!r} must match the file name")
    return template


@cache
def templates() -> dict[str, Template]:
    """Every shipped template by name; raises TemplateError on the first bad file."""
    by_name = {p.stem: load_template(p) for p in sorted(TEMPLATE_DIR.glob("*.toml"))}
    if DEFAULT_TEMPLATE not in by_name:
        raise TemplateError(f"the default template {DEFAULT_TEMPLATE}.toml is missing")
    return by_name


# Ratings --------------------------------------------------------------------------------

NOT_ASSESSED = 0
RATINGS: dict[int, str] = {4: "Strong yes", 3: "Yes", 2: "No", 1: "Strong no"}
RATING_SHORT: dict[int, str] = {4: "++", 3: "+", 2: "-", 1: "--", NOT_ASSESSED: "·"}


def rating_label(value: int) -> str:
    return RATINGS.get(value, "Not assessed")


# Installed templates ----------------------------------------------------------------------
# An admin installs a template from Slack; each install is a new version, referred to as
# `name@vN` where a role or an interview names its template (shipped ones by plain name).
# A version is never edited, so a parsed one is kept for the life of the process: the
# store fills this registry (bot/store/templates.py) before a template is looked up.

_INSTALLED: dict[str, Template] = {}


def installed_key(name: str, version: int) -> str:
    return f"{name}@v{version}"


def split_key(key: str) -> tuple[str, int] | None:
    """(name, version) of an installed template's key; None for a shipped name."""
    name, at, version = key.partition("@v")
    if not at or not version.isdecimal() or not version.isascii() or len(version) > 9:
        return None
    return name, int(version)


def register_installed(key: str, template: Template) -> None:
    _INSTALLED[key] = template


def is_registered(key: str) -> bool:
    return key in _INSTALLED


def forget_installed() -> None:
    """Empty the registry, as a new process starts (for tests of a second replica)."""
    _INSTALLED.clear()


def is_known_template(key: str) -> bool:
    """A shipped template's name, or the key of an installed version this process has read."""
    return key in templates() or key in _INSTALLED


def template_named(name: str) -> Template:
    """The role's (or interview's) template: a shipped one by name, an installed version
    by its key; one whose file was removed falls back to the default."""
    shipped = templates()
    return shipped.get(name) or _INSTALLED.get(name) or shipped[DEFAULT_TEMPLATE]


def template_label(key: str) -> str:
    """A template as people know it, by the title the role form shows ("Data engineer
    (v2)"), not the key a role stores; a key no longer known is itself."""
    if not is_known_template(key):
        return key
    installed = split_key(key)
    return template_named(key).title + (f" (v{installed[1]})" if installed else "")


def plan_stage(template: Template, key: str) -> PlanStage | None:
    return next((s for s in template.plan if s.key == key), None)


def booked_template(interview_template: str | None, role_template: str) -> Template:
    """The template an interview's scorecards are written against: the one it was booked
    with, so installing a new version never changes a scorecard already written."""
    return template_named(interview_template or role_template)


def stage_name(template: Template, key: str) -> str:
    """A plan stage's name, or its key when the template has no such stage."""
    stage = plan_stage(template, key)
    return stage.name if stage else key


def competencies_for(template: Template, stage_key: str) -> list[Competency]:
    """The competencies an interview of that plan stage probes, in the template's order."""
    stage = plan_stage(template, stage_key)
    wanted = set(stage.competencies) if stage else {c.key for c in template.competencies}
    return [c for c in template.competencies if c.key in wanted]


@dataclass(frozen=True)
class ScorecardForm:
    """What an interviewer entered; ratings by competency key, as raw select values."""

    ratings: dict[str, str | None]
    evidence: dict[str, str]
    recommendation: str | None
    summary: str


@dataclass(frozen=True)
class ScorecardInput:
    ratings: dict[str, tuple[int, str]]  # key -> (rating, evidence)
    recommendation: int
    summary: str


def rate_field(key: str) -> str:
    return f"rate_{key}"


def evidence_field(key: str) -> str:
    return f"evidence_{key}"


def _rating(raw: str | None) -> int | None:
    if raw is None or len(raw) > 1 or not raw.isdecimal() or not raw.isascii():
        return None
    return int(raw) if int(raw) in (0, *RATINGS) else None


def _check_ratings(
    keys: list[str], form: ScorecardForm | GradeForm, max_evidence: int, nothing_rated: str
) -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    """One rating (or not assessed) and optional evidence per key, scorecards and take-home
    grades alike; not all of them unassessed. Returns (key -> (rating, evidence), errors)."""
    errors: dict[str, str] = {}
    ratings: dict[str, tuple[int, str]] = {}
    for key in keys:
        value = _rating(form.ratings.get(key))
        evidence = (form.evidence.get(key) or "").strip()
        if value is None:
            errors[rate_field(key)] = "Pick a rating, or “Not assessed”."
        if problem := too_long("evidence", evidence, max_evidence):
            errors[evidence_field(key)] = problem
        ratings[key] = (value if value is not None else NOT_ASSESSED, evidence)
    if keys and not errors and all(r == NOT_ASSESSED for r, _ in ratings.values()):
        errors[rate_field(keys[0])] = nothing_rated
    return ratings, errors


def _check_summary(text: str, errors: dict[str, str], *, max_summary: int, missing: str) -> str:
    """The stripped summary; a missing or too long one adds its error under `summary`."""
    summary = text.strip()
    if not summary:
        errors["summary"] = missing
    elif problem := too_long("summary", summary, max_summary):
        errors["summary"] = problem
    return summary


def check_scorecard(
    competencies: list[Competency], form: ScorecardForm, *, max_summary: int, max_evidence: int
) -> tuple[ScorecardInput | None, dict[str, str]]:
    """Validate a scorecard; errors are keyed by the modal field they belong under."""
    nothing_rated = (
        "Rate at least one competency: a scorecard with nothing assessed tells the debrief nothing."
    )
    ratings, errors = _check_ratings(
        [c.key for c in competencies], form, max_evidence, nothing_rated
    )
    recommendation = _rating(form.recommendation)
    if recommendation in (None, NOT_ASSESSED):
        errors["recommendation"] = "Give your overall recommendation."
    summary = _check_summary(
        form.summary,
        errors,
        max_summary=max_summary,
        missing="Write a short summary: what you saw, and why your recommendation.",
    )
    if errors:
        return None, errors
    assert recommendation is not None
    return ScorecardInput(ratings, recommendation, summary), {}


# Take-home grades ------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeForm:
    """What a grader entered; ratings by part key, as raw select values."""

    ratings: dict[str, str | None]
    evidence: dict[str, str]
    summary: str


@dataclass(frozen=True)
class GradeInput:
    ratings: dict[str, tuple[int, str]]  # part key -> (rating, evidence)
    summary: str


def check_grade(
    parts: list[TakehomePart], form: GradeForm, *, max_summary: int, max_evidence: int
) -> tuple[GradeInput | None, dict[str, str]]:
    """A take-home grade, checked as a scorecard is: one rating per part on the same
    scale (or not assessed, but not all of them), and a summary."""
    nothing_rated = (
        "Rate at least one part: a grade with nothing assessed tells the debrief nothing."
    )
    ratings, errors = _check_ratings([p.key for p in parts], form, max_evidence, nothing_rated)
    summary = _check_summary(
        form.summary,
        errors,
        max_summary=max_summary,
        missing="Write a short summary: what the submission shows, and why.",
    )
    if errors:
        return None, errors
    return GradeInput(ratings, summary), {}
