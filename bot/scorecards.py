"""Scorecard templates: TOML files beside this module, loaded and checked at start-up."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, model_validator

TEMPLATE_DIR = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "mlops"
MAX_PLAN_STAGES = 3  # DOMAIN.md: at most three interview stages, one week
MAX_COMPETENCIES = 12  # what one scorecard modal holds within Slack's 100 blocks


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


class Template(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    title: str = Field(min_length=1, max_length=75)
    competencies: list[Competency] = Field(min_length=1, max_length=MAX_COMPETENCIES)
    plan: list[PlanStage] = Field(min_length=1, max_length=MAX_PLAN_STAGES)

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


def load_template(path: Path) -> Template:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        template = Template.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TemplateError(f"{path}: {error}") from None
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'template'}: {e['msg']}"
            for e in error.errors()
        )
        raise TemplateError(f"{path}: {problems}") from None
    if template.name != path.stem:
        raise TemplateError(f"{path}: name {template.name!r} must match the file name")
    return template


@cache
def templates() -> dict[str, Template]:
    """Every shipped template by name; raises TemplateError on the first bad file."""
    found = {p.stem: load_template(p) for p in sorted(TEMPLATE_DIR.glob("*.toml"))}
    if DEFAULT_TEMPLATE not in found:
        raise TemplateError(f"the default template {DEFAULT_TEMPLATE}.toml is missing")
    return found
