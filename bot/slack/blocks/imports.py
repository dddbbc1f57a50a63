"""Importing a CSV in a DM: the preview with its Import button, the role picker, the
result; and the answers to `/hire export`."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    Option,
    StaticSelectElement,
)

from bot.domain.candidate_csv import MAX_BYTES, Preview
from bot.domain.stages import CLOSED
from bot.slack.blocks.common import clip, context, esc, plural, section
from bot.store.tables import Role

IMPORT = "import_candidates"
IMPORT_ROLE = "import_pick_role"
SHOWN_PROBLEMS = 10
MAX_ROLE_OPTIONS = 100

NOT_CSV = (
    "I can import candidates from a CSV file: one row per person, with a heading line "
    "such as `Name,Email,Role,Stage`. In a spreadsheet, save or download it as CSV and "
    "share that file here."
)
TOO_BIG = (
    f"That file is larger than {MAX_BYTES // (1024 * 1024)} MB, more than I import at once. "
    "Split it into smaller CSV files (by role, say) and share them one by one."
)
FETCH_FAILED = "Slack didn't let me read that file (it said `{error}`). Please share it again."


def import_value(file_id: str, role_id: int | None) -> str:
    """What the Import button and the picker carry: the file and the role, not the rows
    (Slack keeps the file; the import reads it again)."""
    return f"{file_id}:{role_id or ''}"


def parse_import_value(value: object) -> tuple[str, int | None] | None:
    if not isinstance(value, str) or ":" not in value:
        return None
    file_id, role = value.split(":", 1)
    if not file_id.startswith("F") or not file_id.isalnum() or len(file_id) > 32:
        return None
    if role and not (role.isdecimal() and len(role) < 10):
        return None
    return file_id, int(role) if role else None


def _counts(preview: Preview) -> str:
    parts = [
        f"*{preview.total:,}* {'row' if preview.total == 1 else 'rows'}",
        f"*{len(preview.new):,}* new",
        f"*{len(preview.present):,}* already in Loopkeeper",
        f"*{len(preview.duplicates):,}* repeated in the file",
        f"*{preview.problem_rows:,}* with problems",
    ]
    if preview.erased:
        parts.append(f"*{len(preview.erased):,}* erased at their request")
    return " · ".join(parts)


def _first_few(lines: Sequence[str]) -> list[str]:
    """The first SHOWN_PROBLEMS lines, then how many more there are."""
    shown = list(lines[:SHOWN_PROBLEMS])
    if len(lines) > len(shown):
        shown.append(f"… and {len(lines) - len(shown):,} more.")
    return shown


def _new_lines(preview: Preview) -> list[str]:
    """Who Import adds, and into which stage: the first few, by line."""
    return _first_few(
        [
            f"• line {r.line}: {esc(clip(r.name, 80))} → {r.stage.value}"
            + (f" ({esc(r.role.title)})" if len(preview.roles) > 1 else "")
            for r in preview.new
        ]
    )


def _present_lines(preview: Preview) -> list[str]:
    """Who is left out as already in Loopkeeper (same email, else same name, in the
    role): named, so the person importing can tell a real match from a namesake."""
    return _first_few(
        [
            f"• line {p.row.line}: {esc(clip(p.row.name, 80))} ({esc(p.row.role.title)}"
            + (f", *{p.stage}*" if p.stage in CLOSED else "")
            + ")"
            for p in preview.present
        ]
    )


def _erased_blocks(preview: Preview) -> list[Block]:
    """Rows of people erased at their request: named (the file names them already) with
    the record's number, left out, and how to add someone who applied again."""
    if not preview.erased:
        return []
    lines = _first_few(
        [
            f"• line {p.row.line}: {esc(clip(p.row.name, 80))} (erased candidate #{p.candidate_id})"
            for p in preview.erased
        ]
    )
    return [
        section(clip("*Erased at their request*, not brought back\n" + "\n".join(lines), 3000)),
        context(
            "Their data was erased when they asked; an old file does not bring it back. If "
            "one of them has applied again, add them with `/hire add`."
        ),
    ]


def _problem_lines(preview: Preview) -> list[str]:
    lines = [f"• {esc(clip(str(p), 300))}" for p in preview.problems[:SHOWN_PROBLEMS]]
    repeats = SHOWN_PROBLEMS - len(lines)
    lines += [
        f"• line {d.row.line}: {esc(clip(d.row.name, 80))} again (first on line {d.first_line})"
        for d in preview.duplicates[: max(0, repeats)]
    ]
    hidden = len(preview.problems) + len(preview.duplicates) - len(lines)
    if hidden > 0:
        lines.append(f"… and {hidden:,} more.")
    return lines


MAX_ELSEWHERE = 10  # rows named as also on file in another role, as the other lists


def preview_message(
    preview: Preview, *, filename: str, file_id: str, role_id: int | None
) -> tuple[str, list[Block]]:
    """Counts, the first problems with their line and column, and Import."""
    name = esc(clip(filename, 150))
    roles = ", ".join(esc(r.title) for r in preview.roles) or "—"
    blocks: list[Block] = [
        section(f"*Import from {name}*\n{_counts(preview)}"),
    ]
    if preview.new:
        blocks.append(context(f"New candidates go to: {clip(roles, 1500)}"))
        blocks.append(section(clip("*To import*\n" + "\n".join(_new_lines(preview)), 3000)))
    if preview.present:
        present = "\n".join(_present_lines(preview))
        blocks.append(section(clip(f"*Already in Loopkeeper*, left as they are\n{present}", 3000)))
        if any(p.stage in CLOSED for p in preview.present):
            blocks.append(
                context(
                    "Those rejected, withdrawn or hired stay so. Someone who applied again "
                    "is a new application: add them with `/hire add`."
                )
            )
    blocks += _erased_blocks(preview)
    if preview.elsewhere:
        same = [f"• line {line}: the email of {esc(who)}" for line, who in preview.elsewhere]
        more = len(same) - MAX_ELSEWHERE
        listed = same[:MAX_ELSEWHERE] + ([f"…and {more:,} more."] if more > 0 else [])
        blocks.append(
            section(
                clip(
                    "*Also on file in another role*, imported all the same (another "
                    "application; check it is the same person):\n" + "\n".join(listed),
                    3000,
                )
            )
        )
    lines = _problem_lines(preview)
    if lines:
        blocks.append(
            section(clip("*Left out*\n" + "\n".join(lines), 3000)),
        )
        blocks.append(
            context("Rows with problems are not imported. Fix them and share the file again.")
        )
    if preview.new:
        blocks.append(
            ActionsBlock(
                block_id="import",
                elements=[
                    ButtonElement(
                        text=f"Import {plural(len(preview.new), 'candidate')}",
                        action_id=IMPORT,
                        value=import_value(file_id, role_id),
                        style="primary",
                        confirm=ConfirmObject(
                            title="Import candidates?",
                            text=f"Add {plural(len(preview.new), 'candidate')} from {name}.",
                            confirm="Import",
                            deny="Cancel",
                        ),
                    )
                ],
            )
        )
    else:
        blocks.append(context("Nothing new to import."))
    text = (
        f"Import from {esc(filename)}: {len(preview.new):,} new, {preview.skipped:,} skipped, "
        f"{preview.problem_rows:,} with problems."
    )
    return text, blocks


def role_picker_message(
    roles: Sequence[Role], *, filename: str, file_id: str, total: int, partly: bool = False
) -> tuple[str, list[Block]]:
    """The file names no role (`partly`: some of its rows name none) and the person has
    several: which one is it for?"""
    options = [
        Option(value=import_value(file_id, r.id), text=clip(r.title, 75))
        for r in roles[:MAX_ROLE_OPTIONS]
    ]
    text = (
        f"{esc(filename)} has {plural(total, 'row')}, some with an empty role: which role "
        "are those for? Rows that name a role keep it."
        if partly
        else f"{esc(filename)} has {plural(total, 'row')} and no role column: "
        "which role are they for?"
    )
    blocks: list[Block] = [
        section(text),
        ActionsBlock(
            block_id="import_role",
            elements=[
                StaticSelectElement(
                    action_id=IMPORT_ROLE, placeholder="Pick the role", options=options
                )
            ],
        ),
    ]
    return text, blocks


def result_message(preview: Preview, *, filename: str, imported: int) -> tuple[str, list[Block]]:
    name = esc(clip(filename, 150))
    if imported:
        roles = ", ".join(esc(r.title) for r in preview.roles)
        count = plural(imported, "candidate")
        head = f":white_check_mark: Imported {count} from {name} into {roles}."
    elif preview.problem_rows:
        head = f"Nothing imported from {name}: every new row in it has a problem."
    else:
        head = f"Nothing imported from {name}: there was nobody new in it."
    skipped = []
    if preview.present:
        skipped.append(f"{len(preview.present):,} already in Loopkeeper")
    if preview.duplicates:
        skipped.append(f"{len(preview.duplicates):,} repeated in the file")
    if preview.problem_rows:
        skipped.append(f"{plural(preview.problem_rows, 'row')} with problems")
    if preview.erased:
        skipped.append(f"{len(preview.erased):,} erased at their request")
    blocks: list[Block] = [section(clip(head, 3000))]
    if skipped:
        blocks.append(context("Left out: " + ", ".join(skipped) + "."))
    # The preview's list of what to fix is replaced by this answer: it stays here.
    if lines := _problem_lines(preview):
        blocks.append(section(clip("*Not imported*\n" + "\n".join(lines), 3000)))
        rest = ": the rest are in" if imported else ""
        blocks.append(context(f"Fix those rows and share the file again{rest}."))
    if imported:
        blocks.append(
            context("Their clocks start now; see them with `/hire pipeline` or `/hire status`.")
        )
    return head.replace(":white_check_mark: ", ""), blocks


def imported_news(actor_id: str, title: str, count: int, filename: str) -> tuple[str, list[Block]]:
    """To the role's channel: who brought how many in, so the hiring team is not first
    told of them by a digest of people it never heard of. Counts only, no names."""
    line = (
        f":inbox_tray: <@{actor_id}> imported {plural(count, 'candidate')} into "
        f"*{esc(title)}* from {esc(clip(filename, 150))}. Their clocks start now: "
        "`/hire pipeline` has them."
    )
    return line, [section(clip(line, 3000))]


def imported_already(filename: str) -> str:
    """An Import click that finds nobody new the file's preview had: it was imported."""
    return (
        f"Nothing more to import from {esc(clip(filename, 150))}: its new people are in "
        "Loopkeeper already (it was imported a moment ago). See them with `/hire pipeline`."
    )


def export_comment(count: int, role_query: str) -> str:
    scope = f" of roles matching “{role_query}”" if role_query else ""
    return (
        f"Your export: {plural(count, 'candidate')}{scope}, as you may see them. "
        "It is a private file in our DM; mind where you share it."
    )
