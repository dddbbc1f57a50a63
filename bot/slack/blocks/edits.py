"""Editing a candidate (and moving them to another role), and what the role and candidate
edit forms carry from the click that opened them to their submission."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from slack_sdk.models.blocks import (
    Block,
    EmailInputElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.limits import MAX_LINKS
from bot.slack.blocks.common import clip, context, esc, form_modal
from bot.slack.metadata import OutOfDate, _Metadata, _record
from bot.usecases.candidates import CandidateEdited, EditForm

EDIT_CANDIDATE = "candidate_edit"
OPEN_EDIT_CANDIDATE = "candidate_edit_open"
MAX_ROLE_OPTIONS = 100  # Slack's limit on options in one select
_MARK = re.compile(r"^[0-9a-f]{16}$")


def _mark(data: Mapping[str, Any]) -> str:
    seen = data.get("seen")
    if not isinstance(seen, str) or not _MARK.match(seen):
        raise OutOfDate("no mark of what the form showed in its metadata")
    return seen


@dataclass(frozen=True)
class RoleMetadata(_Metadata):
    """The role edit form: the role, and the mark of the role as the form showed it."""

    role_id: int
    seen: str

    def _fields(self) -> dict[str, object]:
        return {"role": self.role_id, "seen": self.seen}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        return cls(_record(data, "role"), _mark(data))


@dataclass(frozen=True)
class CandidateEditMetadata(_Metadata):
    """The candidate edit form: the candidate, and their mark as the form showed them."""

    candidate_id: int
    seen: str

    def _fields(self) -> dict[str, object]:
        return {"candidate": self.candidate_id, "seen": self.seen}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        return cls(_record(data, "candidate"), _mark(data))


def edit_candidate_modal(form: EditForm) -> View:
    candidate = form.card.candidate
    options = [
        Option(value=str(r.id), text=clip(r.title, 75)) for r in form.roles[:MAX_ROLE_OPTIONS]
    ]
    blocks: list[Block] = [
        InputBlock(
            block_id="name",
            label="Name",
            element=PlainTextInputElement(
                action_id="value", initial_value=clip(candidate.name, 150), max_length=150
            ),
        ),
        InputBlock(
            block_id="role",
            label="Role",
            hint="Pick another role to move them there: their interviews, scorecards and "
            "take-homes come along, and that role's clocks apply. Only roles where you are "
            "on the team too are listed.",
            element=StaticSelectElement(
                action_id="value", options=options, initial_option=options[0]
            ),
        ),
        InputBlock(
            block_id="email",
            label="Email",
            optional=True,
            element=EmailInputElement(action_id="value", initial_value=candidate.email or None),
        ),
        InputBlock(
            block_id="links",
            label="Links",
            optional=True,
            hint="CV, LinkedIn, GitHub: one per line.",
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=MAX_LINKS,
                initial_value=candidate.links or None,
            ),
        ),
        context(f"Now in {candidate.stage}. Every change is kept in their history."),
    ]
    metadata = CandidateEditMetadata(candidate.id or 0, form.seen).encode()
    return form_modal(EDIT_CANDIDATE, "Edit candidate", "Save", blocks, metadata=metadata)


def edited_note(done: CandidateEdited) -> str:
    name = esc(done.card.candidate.name)
    if not done.changes:
        return f"Nothing to change: {name} is as the form showed."
    if done.moved_from is not None:
        return (
            f":arrow_right: {name} moved from {esc(done.moved_from.title)} to "
            f"{esc(done.card.role.title)}, with their interviews and scorecards. Its clocks "
            "apply from now on."
        )
    return f":pencil2: Saved {name}: {esc('; '.join(done.changes))}."
