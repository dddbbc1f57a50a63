"""Scorecard templates: the shipped ones load, and a bad file says what is wrong with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.domain.scorecards import (
    DEFAULT_TEMPLATE,
    MAX_PLAN_STAGES,
    TEMPLATE_DIR,
    TemplateError,
    load_template,
    templates,
)
from tests import cli_process

COMPETENCY = """
[[competencies]]
key = "{key}"
name = "Competency {key}"
description = "What {key} means."
strong = "A strong signal."
weak = "A weak signal."
"""

PLAN_STAGE = """
[[plan]]
key = "{key}"
name = "Stage {key}"
description = "What happens in {key}."
minutes = 45
competencies = {competencies}
"""


def template_text(
    *,
    name: str = "small",
    competencies: tuple[str, ...] = ("monitoring", "rollback"),
    plan: tuple[tuple[str, list[str]], ...] = (("screen", ["monitoring"]),),
) -> str:
    text = f'name = "{name}"\ntitle = "A small template"\n'
    text += "".join(COMPETENCY.format(key=key) for key in competencies)
    text += "".join(
        PLAN_STAGE.format(key=key, competencies=repr(names).replace("'", '"'))
        for key, names in plan
    )
    return text


def write(tmp_path: Path, text: str, file_name: str = "small.toml") -> Path:
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(TemplateError) as error:
        load_template(path)
    message = str(error.value)
    assert str(path) in message, "the message must name the file"
    return message


# The shipped templates ----------------------------------------------------------------


def test_shipped_templates_load_and_include_the_default() -> None:
    found = templates()
    assert DEFAULT_TEMPLATE == "mlops"
    assert DEFAULT_TEMPLATE in found
    assert set(found) == {p.stem for p in TEMPLATE_DIR.glob("*.toml")}


def test_default_template_has_the_six_mlops_competencies() -> None:
    mlops = templates()["mlops"]
    assert [c.name for c in mlops.competencies] == [
        "Model monitoring & drift",
        "Rollback strategy",
        "Training pipeline design",
        "Production incident response",
        "Cross-functional communication",
        "Model serving",  # what the take-home's serving part rates
    ]
    for competency in mlops.competencies:
        assert competency.strong and competency.weak


def test_default_template_has_the_three_stage_plan() -> None:
    plan = templates()["mlops"].plan
    assert [s.name for s in plan] == [
        "Pipeline and tooling audit",
        "Production incident interview",
        "Take-home review",
    ]
    assert len(plan) <= MAX_PLAN_STAGES
    incident = plan[1]
    assert incident.minutes == 45
    keys = {c.key for c in templates()["mlops"].competencies}
    assert all(set(s.competencies) <= keys for s in plan)


def test_every_competency_is_assessed_somewhere_in_the_default_plan() -> None:
    mlops = templates()["mlops"]
    assessed = {key for stage in mlops.plan for key in stage.competencies}
    assert assessed == {c.key for c in mlops.competencies}


# Bad files -----------------------------------------------------------------------------


def test_a_good_file_loads(tmp_path: Path) -> None:
    template = load_template(write(tmp_path, template_text()))
    assert template.name == "small"
    assert [c.key for c in template.competencies] == ["monitoring", "rollback"]


def test_bad_toml(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "small\ntitle = "oops"\n')
    message = load_error(path)
    assert "line 1" in message


def test_a_key_repeated_in_toml(tmp_path: Path) -> None:
    path = write(tmp_path, 'title = "twice"\n' + template_text())
    # The second title is on line 3, after the name.
    assert "Cannot overwrite a value (at line 3" in load_error(path)


def test_a_missing_file(tmp_path: Path) -> None:
    load_error(tmp_path / "absent.toml")


def test_plan_naming_an_unknown_competency(tmp_path: Path) -> None:
    path = write(tmp_path, template_text(plan=(("screen", ["monitoring", "vibes"]),)))
    message = load_error(path)
    assert "plan stage “screen” names competencies the template does not define: vibes" in message


def test_more_than_three_plan_stages(tmp_path: Path) -> None:
    plan = tuple((f"stage{i}", ["monitoring"]) for i in range(MAX_PLAN_STAGES + 1))
    message = load_error(write(tmp_path, template_text(plan=plan)))
    assert "plan:" in message
    assert f"plan: at most {MAX_PLAN_STAGES} entries, not 4" in message


def test_duplicate_competency_keys(tmp_path: Path) -> None:
    path = write(tmp_path, template_text(competencies=("monitoring", "monitoring")))
    assert "two competencies share a key" in load_error(path)


def test_duplicate_plan_stage_keys(tmp_path: Path) -> None:
    plan = (("screen", ["monitoring"]), ("screen", ["rollback"]))
    assert "two plan stages share a key" in load_error(write(tmp_path, template_text(plan=plan)))


def test_name_not_matching_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, template_text(name="other"), file_name="small.toml")
    assert "name 'other' must match the file name" in load_error(path)


def test_missing_fields_are_named_by_their_place(tmp_path: Path) -> None:
    text = template_text().replace('weak = "A weak signal."\n', "", 1)
    assert "competencies[0].weak: missing: add it" in load_error(write(tmp_path, text))


def test_a_plan_stage_without_competencies(tmp_path: Path) -> None:
    path = write(tmp_path, template_text(plan=(("screen", []),)))
    assert "plan[0].competencies" in load_error(path)


# Take-homes -----------------------------------------------------------------------------

TAKEHOME = """
[takehome]
brief = "Build a small pipeline, an inference API and its monitoring."
links = ["https://github.com/acme/churn-takehome"]
hours = 4
{window}
[[takehome.parts]]
key = "pipeline"
name = "Pipeline"
competency = "monitoring"
strong = "Validated, tracked."
weak = "A script."

[[takehome.parts]]
key = "serving"
name = "Serving"
competency = "{competency}"
strong = "Input validation and a confidence."
weak = "A bare label."
"""


def with_takehome(*, competency: str = "rollback", window: str = "") -> str:
    return template_text() + TAKEHOME.format(competency=competency, window=window)


def test_the_default_template_has_a_takehome_with_three_rated_parts() -> None:
    mlops = templates()["mlops"]
    takehome = mlops.takehome
    assert takehome is not None
    assert (takehome.hours, takehome.window_hours) == (4, 72)
    assert [(p.key, p.competency) for p in takehome.parts] == [
        ("pipeline", "pipeline"),
        ("serving", "model_serving"),
        ("monitoring", "monitoring"),
    ]
    assert all(p.strong and p.weak for p in takehome.parts)
    assert "takehome" in {s.key for s in mlops.plan}  # the playground's review interview


def test_a_template_with_a_takehome_loads_and_the_window_defaults_to_72_hours(
    tmp_path: Path,
) -> None:
    template = load_template(write(tmp_path, with_takehome()))
    assert template.takehome is not None
    assert template.takehome.window_hours == 72
    assert [p.competency for p in template.takehome.parts] == ["monitoring", "rollback"]
    longer = load_template(write(tmp_path, with_takehome(window="window_hours = 96")))
    assert longer.takehome is not None and longer.takehome.window_hours == 96


def test_a_template_without_a_takehome_still_loads(tmp_path: Path) -> None:
    assert load_template(write(tmp_path, template_text())).takehome is None


def test_a_part_rating_an_unknown_competency_is_refused_by_its_place(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, with_takehome(competency="vibes")))
    assert "takehome.parts[1].competency: 'vibes' is not a competency of this template" in message


def test_a_broken_part_field_is_named(tmp_path: Path) -> None:
    text = with_takehome().replace('weak = "A bare label."\n', "")
    assert "takehome.parts[1].weak: missing: add it" in load_error(write(tmp_path, text))
    text = with_takehome().replace('key = "serving"', 'key = "Serving Part"')
    assert "takehome.parts[1].key: use lowercase letters, digits and _" in load_error(
        write(tmp_path, text)
    )


def test_two_parts_with_one_key_are_refused(tmp_path: Path) -> None:
    text = with_takehome().replace('key = "serving"', 'key = "pipeline"')
    assert "takehome.parts[1].key: 'pipeline' is used by another part" in load_error(
        write(tmp_path, text)
    )


def test_takehome_links_must_be_web_addresses(tmp_path: Path) -> None:
    text = with_takehome().replace("https://github.com/acme/churn-takehome", "ftp://x")
    assert "takehome.links: 'ftp://x' is not an http(s) address" in load_error(
        write(tmp_path, text)
    )


def test_a_takehome_window_out_of_range_is_named(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, with_takehome(window="window_hours = 0")))
    assert "takehome.window_hours: at least 1" in message


def test_templates_check_names_the_broken_part(tmp_path: Path) -> None:
    path = write(tmp_path, with_takehome(competency="vibes"))
    # Its own process, forked from one with the libraries imported (tests/cli_process.py).
    refused = cli_process.run(
        ("templates", "check", str(path)),
        env=dict(os.environ),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert refused.returncode == 1
    assert "takehome.parts[1].competency: 'vibes'" in refused.stderr
    # Named unlike its file, it is what `templates install` takes: check agrees.
    shown = with_takehome()  # named "small", in a file named acme.toml
    other = tmp_path / "acme.toml"
    other.write_text(shown)
    ok = cli_process.run(
        ("templates", "check", str(other)),
        env=dict(os.environ),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert ok.returncode == 0 and "is valid" in ok.stdout, ok.stderr
