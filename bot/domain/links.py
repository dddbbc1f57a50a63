"""A candidate's links (LinkedIn, GitHub, a portfolio), as a person types them into a
form: web addresses, one a line. Slack makes an address a link; anything else would sit
on the card as text that looks like one, or (javascript:, data:) never be one."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"[\s,]+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?$")
EXAMPLE = "e.g. https://www.linkedin.com/in/jane or github.com/jane"


def clean_links(text: str) -> tuple[str | None, str | None]:
    """(the links one a line, each once, or None for none; why they are refused, or None).
    An address may come without its https:// (linkedin.com/in/jane), as people paste it."""
    kept: dict[str, str] = {}  # the same address, with or without https:// or a last /
    links = [link for link in _SEPARATORS.split(text.strip()) if link]
    for link in links:
        if not _is_address(link):
            # Words with no address among them ("see her CV") are named whole, not by
            # their first word.
            bad = link if any(_is_address(other) for other in links) else text.strip()
            return None, (
                f"“{bad[:80]}” is not a web address: {EXAMPLE}. Put each link on a line of "
                "its own, or between spaces."
            )
        kept.setdefault(with_scheme(link).lower().rstrip("/"), link)
    return ("\n".join(kept.values()) or None), None


_SCRIPTED = ("javascript:", "vbscript:", "data:", "file:")


def scripted_link(text: str) -> str | None:
    """The first link in `text` that would run or open something rather than a web page
    (javascript:, data:, …), for an import to refuse its row; None when there is none. An
    import keeps the rest of a spreadsheet's words as they were typed."""
    for link in _SEPARATORS.split(text.strip()):
        if link.lower().startswith(_SCRIPTED):
            return link
    return None


def with_scheme(link: str) -> str:
    """`github.com/jane/x` as https://github.com/jane/x: a link Slack can open, for one
    pasted without its scheme (anything else as it was)."""
    text = link.strip()
    return text if _SCHEME.match(text) or not _is_address(text) else f"https://{text}"


def is_address(link: str) -> bool:
    """A web address (with or without https://) or a mailto: one."""
    return _is_address(link.strip())


def _is_address(link: str) -> bool:
    if _SCHEME.match(link) and not link.lower().startswith(("http://", "https://")):
        return link.lower().startswith("mailto:") and "@" in link
    parsed = urlsplit(link if "://" in link else f"https://{link}")
    return parsed.scheme in ("http", "https") and bool(_HOST.match(parsed.netloc or ""))
