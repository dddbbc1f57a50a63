"""Scorecard templates: TOML files beside this module, loaded and checked at start-up."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

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


class Template(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    title: str = Field(min_length=1, max_length=75)
    competencies: list[Competency] = Field(min_length=1, max_length=MAX_COMPETENCIES)
    plan: list[PlanStage] = Field(min_length=1, max_length=MAX_PLAN_STAGES)
    takehome: TakehomeSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Template:
        keys = [c.key for c in self.competencies]
        if len(set(keys)) != len(keys):
            raise ValueError("two competencies share a key")
        stage_keys = [s.key for s in self.plan]
        if len(set(stage_keys)) != len(stage_keys):
            raise ValueError("two plan stages share a key")
        for stage in self.plan:
            unknown = sorted(set(stage.competencies) - set(keys))
            if unknown:
                raise ValueError(f"plan stage {stage.key!r} names unknown competencies {unknown}")
        return self


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


def takehome_problems(template: Template) -> list[str]:
    """What pydantic cannot see field by field: the take-home's parts against the
    template's competencies, named by their place in the file."""
    takehome = template.takehome
    if takehome is None:
        return []
    competencies = {c.key for c in template.competencies}
    problems, seen = [], set()
    for n, part in enumerate(takehome.parts):
        if part.key in seen:
            problems.append(f"takehome.parts[{n}].key: {part.key!r} is used by another part")
        seen.add(part.key)
        if part.competency not in competencies:
            problems.append(
                f"takehome.parts[{n}].competency: {part.competency!r} is not a competency "
                "of this template"
            )
    return problems


def load_template(path: Path) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        template = Template.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(f"{path}: {error}") from None
    except ValidationError as error:
        reasons = "; ".join(f"{field_path(e['loc'])}: {e['msg']}" for e in error.errors())
        raise TemplateError(f"{path}: {reasons}") from None
    if template.name != path.stem:
        raise TemplateError(f"{path}: name {template.name!r} must match the file name")
    problems = takehome_problems(template)
    if problems:
        raise TemplateError(f"{path}: {'; '.join(problems)}")
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


def template_named(name: str) -> Template:
    """The role's template; a role whose template file was removed falls back to the default."""
    shipped = templates()
    return shipped.get(name) or shipped[DEFAULT_TEMPLATE]


def plan_stage(template: Template, key: str) -> PlanStage | None:
    return next((s for s in template.plan if s.key == key), None)


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
        if len(evidence) > max_evidence:
            errors[evidence_field(key)] = f"Keep the evidence under {max_evidence} characters."
        ratings[key] = (value if value is not None else NOT_ASSESSED, evidence)
    if keys and not errors and all(r == NOT_ASSESSED for r, _ in ratings.values()):
        errors[rate_field(keys[0])] = nothing_rated
    return ratings, errors


def _check_summary(text: str, errors: dict[str, str], *, max_summary: int, missing: str) -> str:
    """The stripped summary; a missing or too long one adds its error under `summary`."""
    summary = text.strip()
    if not summary:
        errors["summary"] = missing
    elif len(summary) > max_summary:
        errors["summary"] = f"Keep the summary under {max_summary} characters."
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
