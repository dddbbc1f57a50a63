"""A scorecard template shared in a DM: its preview with the Install button, each
problem with its line, and what was installed."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ConfirmObject

from bot.domain.scorecards import Problem, Template
from bot.slack.blocks.common import clip, context, esc, section, when
from bot.usecases.templates import Checked, Installed

INSTALL = "template_install"
SHOWN_PROBLEMS = 15
MAX_FILES = 3

FETCH_FAILED = "Slack didn't let me read that file (it said `{error}`). Please share it again."
TOO_BIG = "That file is larger than {kb} KB, more than a scorecard template needs."
STALE = "That button is out of date; share the template file again."


def install_value(file_id: str, digest: str, version: int) -> str:
    """What Install carries: the file (Slack keeps it; the click reads it again), a
    digest of the text previewed, and the version the preview promised."""
    return f"{file_id}:{digest}:{version}"


def parse_install_value(value: object) -> tuple[str, str, int] | None:
    if not isinstance(value, str) or value.count(":") != 2:
        return None
    file_id, digest, version = value.split(":")
    if not file_id.startswith("F") or not file_id.isalnum() or len(file_id) > 32:
        return None
    if len(digest) != 16 or not all(c in "0123456789abcdef" for c in digest):
        return None
    if not version.isdecimal() or not version.isascii() or len(version) > 6:
        return None
    return file_id, digest, int(version)


def _outline(template: Template) -> list[Block]:
    competencies = "\n".join(
        f"• *{esc(c.name)}*: {esc(clip(c.description, 150))}" for c in template.competencies
    )
    plan = "\n".join(
        f"{n}. *{esc(s.name)}* ({s.minutes} min): "
        + ", ".join(esc(c.name) for c in template.competencies if c.key in s.competencies)
        for n, s in enumerate(template.plan, 1)
    )
    blocks: list[Block] = [
        section(f"*Competencies ({len(template.competencies)})*\n{competencies}"),
        section(f"*Interview plan*\n{plan}"),
    ]
    takehome = template.takehome
    if takehome is not None:
        parts = ", ".join(esc(p.name) for p in takehome.parts)
        blocks.append(
            section(
                f"*Take-home*: about {takehome.hours} h, {takehome.window_hours} h to hand it "
                f"in; graded on {parts}."
            )
        )
    return blocks


def _version_line(checked: Checked) -> str:
    name = esc(checked.template.name)
    previous = checked.previous
    if previous is None:
        return f"*{name} v{checked.version}*, a new template"
    return (
        f"*{name} v{checked.version}* (v{previous.version} installed on "
        f"{when(previous.installed_at)})"
    )


def preview_message(checked: Checked, *, filename: str, file_id: str) -> tuple[str, list[Block]]:
    title = esc(checked.template.title)
    if checked.already is not None:
        text = (
            f"{esc(filename)} is {esc(checked.template.name)} v{checked.already} "
            f"({title}), installed already; nothing to install."
        )
        return text, [section(text)]
    text = f"{esc(filename)}: scorecard template {title}, ready to install as " + _version_line(
        checked
    ).replace("*", "")
    blocks: list[Block] = [
        section(f"*{title}* from {esc(filename)} would install as {_version_line(checked)}."),
        *_outline(checked.template),
        context(
            "Installing changes no role: each role keeps its version until someone edits "
            "it, and scorecards keep the version they were written against."
        ),
        ActionsBlock(
            block_id="template_install",
            elements=[
                ButtonElement(
                    text=f"Install v{checked.version}",
                    action_id=INSTALL,
                    value=install_value(file_id, checked.digest, checked.version),
                    style="primary",
                    confirm=ConfirmObject(
                        title="Install this template?",
                        text=f"{clip(checked.template.name, 60)} v{checked.version} will be "
                        "offered on the role form.",
                        confirm="Install",
                        deny="Cancel",
                    ),
                )
            ],
        ),
    ]
    return text, blocks


def problems_message(filename: str, problems: list[Problem]) -> tuple[str, list[Block]]:
    count = len(problems)
    head = (
        f"I can't install {esc(filename)}: {count} problem{'' if count == 1 else 's'}. "
        "Fix the file and share it again."
    )
    lines = [f"• {esc(clip(str(p), 300))}" for p in problems[:SHOWN_PROBLEMS]]
    if count > SHOWN_PROBLEMS:
        lines.append(f"… and {count - SHOWN_PROBLEMS} more.")
    text = head + "\n" + "\n".join(lines)
    return text, [section(clip(text, 3000))]


def installed_message(done: Installed) -> tuple[str, list[Block]]:
    name, title = esc(done.template.name), esc(done.template.title)
    if done.new:
        text = (
            f"Installed {name} v{done.version} ({title}). Pick it on `/hire role` as "
            f"“{title} (v{done.version})”."
        )
    else:
        text = f"{name} v{done.version} ({title}) is installed already; nothing changed."
    return text, [section(text)]
