"""Erasure and subject access: the confirmation modal, the answers, and the retention
notice to a role's recruiters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.slack.blocks.common import clip, esc, form_modal, line_sections, plural, section, when
from bot.slack.metadata import CandidateMetadata
from bot.store.tables import Candidate, Role
from bot.usecases.erasure import CONFIRM_WORD, ErasurePreview

ERASE_SUBMIT = "erase_submit"
OPEN_ERASE = "open_erase"
OPEN_EXPORT_PERSON = "open_export_person"
WHO_TO_ERASE = "Whom? Example: `/hire erase Jane Doe` (or `/hire erase #123`)."
WHO_TO_EXPORT = "Whom? Example: `/hire export-person Jane Doe` (or `#123`)."


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def erase_confirm_modal(preview: ErasurePreview) -> View:
    candidate = preview.candidate
    goes = [
        f"• Name: *{esc(clip(candidate.name, 150))}*",
        f"• Email: {esc(candidate.email) if candidate.email else 'none'}",
        f"• Links: {_count(preview.links, 'link')}",
        # Moves' reasons and notes (the team's notes are among the changes' words, below).
        f"• Reasons and notes of stage moves: {_count(preview.notes, 'move')}",
        f"• Scorecard texts: {_count(preview.scorecards, 'summary', 'summaries')}, "
        f"{_count(preview.evidence, 'evidence text')}",
        f"• Take-home notes and links: {preview.takehome_texts}; "
        f"grade texts: {_count(preview.grades, 'grade')}",
        f"• Offer terms: {_count(preview.offers, 'offer')}",
        f"• Pause reasons: {preview.pauses}; recorded changes' words: {preview.changes}",
        f"• Alerts still to go: {preview.pending_alerts} (dropped)",
    ]
    stays = (
        f"*Erased candidate #{candidate.id}* in {esc(preview.role.title)}, with "
        f"{_count(preview.stage_events, 'stage')} and their dates, "
        f"{_count(preview.interviews, 'interview')} and {_count(preview.ratings, 'rating')}, "
        "so the numbers stay true; and a one-way digest of their email and name, so a "
        "file imported later does not bring them back (it cannot be read back as either)."
    )
    blocks: list[Block] = [
        section("*What goes, for good:*\n" + "\n".join(goes)),
        section("*What stays:* " + stays),
        *_others(preview),
        InputBlock(
            block_id="confirm",
            label=f"Type {CONFIRM_WORD} to confirm",
            hint="This cannot be undone. Export the data first if the person asked for it.",
            element=PlainTextInputElement(action_id="value", max_length=20),
        ),
    ]
    return form_modal(
        ERASE_SUBMIT,
        "Erase candidate",
        "Erase",
        blocks,
        metadata=CandidateMetadata(candidate.id or 0).encode(),
    )


def _others(preview: ErasurePreview) -> list[Block]:
    """Other records of the same email, or of the same name in the role: a person who
    asked to be forgotten may be in more than one; each is erased on its own."""
    if not preview.others:
        return []
    lines = [
        f"• #{i} *{esc(clip(name, 80))}*, {esc(title)} ({stage}): `/hire erase #{i}`"
        for i, name, title, stage in preview.others[:10]
    ]
    if len(preview.others) > len(lines):
        lines.append(f"… and {len(preview.others) - len(lines)} more.")
    return [
        section(
            clip(
                "*Not erased by this*, and maybe the same person (same email, or same name "
                "in this role):\n" + "\n".join(lines),
                3000,
            )
        )
    ]


def confirm_problem(typed: str) -> str | None:
    # Exactly as asked, capitals too: a destructive step is confirmed on purpose.
    if typed.strip() != CONFIRM_WORD:
        return f"Type {CONFIRM_WORD} (in capitals) to erase, or Cancel to keep everything."
    return None


def erased_message(name: str, role_title: str) -> str:
    return (
        f"Done: the candidate in {esc(role_title)} is now *{esc(name)}*. Their personal "
        "data is gone; stages, dates and ratings stay for the numbers. Files already sent "
        "(a `/hire export` CSV, an export-person JSON) are Slack's to keep: delete any that "
        "hold them from the DMs they went to."
    )


def other_records_note(others: Sequence[Mapping[str, Any]]) -> str:
    """After an export-person answer: the records it leaves out that may be the same person."""
    if not others:
        return ""
    named = "; ".join(
        f"#{o['id']} {esc(clip(str(o['name']), 80))}, {esc(str(o['role']))} ({o['stage']})"
        for o in others[:10]
    )
    return (
        f" Not in it, and maybe the same person (same email, or same name in the role): "
        f"{named}. Export each with `/hire export-person #<number>`."
    )


def export_person_comment(name: str, candidate_id: int) -> str:
    return (
        f"Everything Loopkeeper holds about {esc(name)} (candidate #{candidate_id}), as "
        "JSON, for a subject access request. Keep it safe."
    )


def retention_notice(
    due: Sequence[tuple[Candidate, Role, datetime]], *, retention_days: int
) -> tuple[str, list[Block]]:
    """One recruiter's notice: the candidates their roles' retention limit erases soon."""
    lines = [
        f"• *{esc(c.name)}* · {esc(r.title)} · {c.stage} · erased {when(at)}" for c, r, at in due
    ]
    text = f"Loopkeeper: {plural(len(due), 'closed candidate')} will be erased in a week"
    intro = (
        f"Rejected and withdrawn candidates are erased {retention_days} days after they "
        "closed (RETENTION_DAYS). These go in a week. If the law needs a record kept (a "
        "claim), ask a Loopkeeper admin to save it first with `/hire export-person <name>`."
    )
    # Every name, in whole lines: the notice is the recruiter's one chance to ask for a
    # record to be kept, and one section clipped at 3,000 characters cut it mid-token.
    return text, [section(intro), *line_sections(lines, room=MAX_NOTICE_SECTIONS)]


MAX_NOTICE_SECTIONS = 45  # a message holds 50 blocks; the intro and the "more" take two


def erased_kit(name: str) -> tuple[str, list[Block]]:
    """What an interview kit DM becomes once its candidate is erased: it named them."""
    text = f"Interview kit of {name}: the candidate's personal data was erased."
    return text, [section(esc(text))]


def nobody_called(query: str, command: str) -> str:
    """An admin's name that matches no candidate in any role (`command`: erase or
    export-person), with the other way to say whom."""
    return (
        f"No candidate in any role is called “{esc(clip(query, 100))}”. Check the "
        "spelling, or give their record's number (`/hire erase` shows it beside each "
        "name it finds; on the server, `loopkeeper export --format json` has it as `id`): "
        f"`/hire {command} #123`."
    )
