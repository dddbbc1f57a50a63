"""A template's text, checked as the shipped files are, with each problem's line: what an
admin sees when a shared template is refused. And the registry of installed versions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.domain.scorecards import (
    DEFAULT_TEMPLATE,
    TemplateProblems,
    forget_installed,
    installed_key,
    is_known_template,
    line_of,
    parse_template,
    register_installed,
    split_key,
    template_named,
    templates,
)
from tests.domain.test_scorecards import TAKEHOME, template_text


def problems(text: str) -> list[str]:
    with pytest.raises(TemplateProblems) as refused:
        parse_template(text, "shared.toml")
    assert str(refused.value).startswith("shared.toml: ")
    return [str(p) for p in refused.value.problems]


def numbered(text: str, needle: str, nth: int = 1) -> int:
    """The line number of the nth line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def test_good_text_parses_like_a_file() -> None:
    template = parse_template(template_text(), "shared.toml")
    assert template.name == "small" and [s.key for s in template.plan] == ["screen"]


def test_a_syntax_error_keeps_tomllib_s_line_and_column() -> None:
    text = template_text().replace('strong = "A strong signal."', "strong = A strong signal.", 1)
    [problem] = problems(text)
    line = numbered(text, "strong = A strong")
    assert problem.startswith("Invalid value") and f"(at line {line}, column 10)" in problem
    with pytest.raises(TemplateProblems) as refused:
        parse_template(text, "shared.toml")
    assert refused.value.problems[0].line == line


def test_a_bad_value_is_on_the_line_of_its_key_in_its_table() -> None:
    text = template_text(competencies=("monitoring", "rollback")).replace(
        'name = "Competency rollback"', 'name = "' + "x" * 80 + '"'
    )
    line = numbered(text, "x" * 80)
    assert problems(text) == [f"line {line}: competencies[1].name: at most 75 characters"]


def test_a_missing_key_points_at_its_table() -> None:
    text = template_text().replace('weak = "A weak signal."\n', "", 1)
    assert problems(text) == [
        f"line {numbered(text, '[[competencies]]')}: competencies[0].weak: missing: add it"
    ]
    # At the top level there is no table to point at: no line, the place still named.
    assert problems(template_text().replace('title = "A small template"\n', "")) == [
        "title: missing: add it"
    ]


def test_problems_across_fields_have_lines_too() -> None:
    text = template_text(
        competencies=("monitoring", "monitoring"),
        plan=(("screen", ["monitoring"]), ("deep", ["vibes"])),
    )
    second, vibes = numbered(text, 'key = "monitoring"', 2), numbered(text, '["vibes"]')
    assert problems(text) == [
        f"line {second}: competencies[1].key: two competencies share a key",
        f"line {vibes}: plan[1].competencies: plan stage “deep” names competencies the "
        "template does not define: vibes",
    ]


def test_a_takehome_part_is_found_under_its_own_table() -> None:
    text = template_text() + TAKEHOME.format(competency="vibes", window="hours = 3")
    found = problems(text)
    assert f"(at line {numbered(text, 'hours = 3')}," in found[0]  # a key given twice
    text = template_text() + TAKEHOME.format(competency="vibes", window="")
    vibes = numbered(text, 'competency = "vibes"')
    assert problems(text) == [
        f"line {vibes}: takehome.parts[1].competency: 'vibes' is not a competency of this template"
    ]


def test_too_many_tables_point_at_the_first() -> None:
    plan = tuple((f"stage{i}", ["monitoring"]) for i in range(4))
    text = template_text(plan=plan)
    [problem] = problems(text)
    assert problem.startswith(f"line {numbered(text, '[[plan]]')}: plan: at most 3 entries, not 4")


def test_a_header_inside_a_multiline_string_is_not_a_table() -> None:
    text = 'brief = """\n[[plan]]\n"""\nkey = "x"\n'
    assert line_of(text, ("key",)) == 4
    assert line_of(text, ("plan", 0, "key")) is None


@pytest.fixture
def registry() -> Iterator[None]:
    forget_installed()
    yield
    forget_installed()


def test_installed_versions_are_looked_up_by_key(registry: None) -> None:
    assert installed_key("acme-ml", 2) == "acme-ml@v2"
    assert split_key("acme-ml@v2") == ("acme-ml", 2)
    assert split_key("mlops") is None and split_key("x@vtwo") is None
    assert not is_known_template("small@v1")
    assert template_named("small@v1").name == DEFAULT_TEMPLATE  # not read yet: the default
    register_installed("small@v1", parse_template(template_text(), "small@v1"))
    assert is_known_template("small@v1") and template_named("small@v1").name == "small"
    assert template_named(DEFAULT_TEMPLATE) is templates()[DEFAULT_TEMPLATE]


def test_a_quote_left_open_is_said_in_words() -> None:
    from bot.domain.scorecards import TemplateProblems, parse_template

    try:
        parse_template('name = "acme\ntitle = "Acme"\n', "acme.toml")
    except TemplateProblems as problems:
        assert str(problems).endswith("(at line 1, column 13): a quote is not closed on that line")
    else:
        raise AssertionError("an open quote was read")
