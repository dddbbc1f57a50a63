"""A candidate's links as typed into a form: web addresses, one a line, each once."""

from __future__ import annotations

import pytest

from bot.domain.links import clean_links, with_scheme


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://linkedin.com/in/jane", "https://linkedin.com/in/jane"),
        ("github.com/jane  http://jane.dev:8080/cv", "github.com/jane\nhttp://jane.dev:8080/cv"),
        ("a.io, a.io\n\nmailto:jane@example.com", "a.io\nmailto:jane@example.com"),
        # The same address with and without its scheme, or a last slash: kept once.
        ("linkedin.com/in/priya https://LinkedIn.com/in/priya/", "linkedin.com/in/priya"),
        ("   ", None),
    ],
)
def test_web_addresses_are_kept_one_a_line_each_once(typed: str, kept: str | None) -> None:
    assert clean_links(typed) == (kept, None)


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://files.example",
        "jane",
        "http://",
        "mailto:x",
    ],
)
def test_what_is_not_a_web_address_is_refused_by_name(typed: str) -> None:
    links, problem = clean_links(typed)
    assert links is None and problem is not None
    assert problem.startswith(f"“{typed}” is not a web address")  # named whole


def test_a_link_pasted_without_its_scheme_gets_https() -> None:
    assert with_scheme(" github.com/jane/churn ") == "https://github.com/jane/churn"
    assert with_scheme("http://x.io/a") == "http://x.io/a"
    assert with_scheme("the repo on github") == "the repo on github"  # left to be refused
