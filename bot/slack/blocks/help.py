"""The `/hire` help message."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, HeaderBlock

from bot.slack.blocks.common import MAX_SECTION, context, section

COMMANDS: list[tuple[str, str, str]] = [
    (
        "/hire status <name>, or /hire <name>",
        "Where a candidate stands (only you see it); or ask me `where is Jane?` in a DM, "
        "or `@Loopkeeper where is Jane?` in a channel",
        "/hire Jane Doe",
    ),
    ("/hire add [name]", "Add a candidate to one of your roles", "/hire add Jane Doe"),
    (
        "/hire pipeline [role]",
        "Your roles' candidates by stage, most urgent first",
        "/hire pipeline mlops",
    ),
    ("/hire move <name>", "Move a candidate to another stage", "/hire move Jane Doe"),
    (
        "/hire move <name> to <stage>[: reason]",
        "Move in one line; rejected and withdrawn need a reason",
        "/hire move Jane Doe to rejected: took another offer",
    ),
    (
        "/hire schedule <name>",
        "Schedule an interview; the interviewers get their kit",
        "/hire schedule Jane Doe",
    ),
    (
        "/hire interviews [role]",
        "Your roles' interviews in the next two weeks, and who on them can't make it or is "
        "away (recruiters and hiring managers)",
        "/hire interviews mlops",
    ),
    (
        "/hire deadline <name>",
        "Set, change or clear a candidate's own deadline (a competing offer): the clocks "
        "fit before it",
        "/hire deadline Jane Doe",
    ),
    (
        "/hire note <name>[: text]",
        "Keep a note on a candidate, for their hiring team only (no text: the form)",
        "/hire note Jane Doe: expects an offer by Friday",
    ),
    (
        "/hire notes <name>",
        "A candidate's notes, whole, latest first; Edit… and Delete on your own",
        "/hire notes Jane Doe",
    ),
    (
        "/hire history <name>",
        "Every move and change of a candidate, who made it, when and why, latest first",
        "/hire history Jane Doe",
    ),
    (
        "/hire feedback",
        "Your scorecards to submit or edit, and take-homes waiting on your grade",
        "/hire feedback",
    ),
    (
        "/hire offer <name>",
        "Extend an offer (its clock starts), or revise the one awaiting an answer",
        "/hire offer Jane Doe",
    ),
    (
        "/hire export [role]",
        "A CSV of the candidates you may see, sent to your DM with me",
        "/hire export mlops",
    ),
    (
        "Share a .csv file with me in a DM",
        "Import candidates: a preview first, then an Import button",
        "Name,Email,Role,Stage",
    ),
    ("/hire role", "Create a role (admins)", "/hire role"),
    (
        "/hire role edit|close|reopen|history <title>",
        "Change a role's team, channel, template or clocks; close it to new candidates, "
        "or reopen it; see who changed it, when and why (admins and the role's team)",
        "/hire role close Data Scientist",
    ),
    (
        "/hire role reject-rest <title>",
        "A closed role: reject everyone left in its pipeline, with one reason (the role's team)",
        "/hire role reject-rest Data Scientist",
    ),
    (
        "/hire edit <name>",
        "Fix a candidate's name, email or links, or move them to another of your roles",
        "/hire edit Jane Doe",
    ),
    (
        "/hire admin deliveries",
        "Alerts and weekly reports Slack refused, and why (admins)",
        "/hire admin deliveries",
    ),
    (
        "/hire export-person <name>",
        "Everything held about one candidate, as JSON in your DM (admins)",
        "/hire export-person Jane Doe",
    ),
    (
        "/hire erase <name>",
        "Erase a closed candidate's personal data for good, after a confirmation (admins)",
        "/hire erase Jane Doe",
    ),
    (
        "/hire away [@person] [add|remove <date>[..<date>]]",
        "Your own days away (vacation, leave): your nudges wait until you are back, and "
        "whoever books you on one is warned. Recruiters and hiring managers name someone "
        "first to set theirs",
        "/hire away add 2026-12-24..2027-01-02",
    ),
    (
        "/hire away team",
        "Who of the interviewers on your roles' interviews is away in the next 4 weeks, "
        "and the interviews to come booked on one of their days away (recruiters and "
        "hiring managers)",
        "/hire away team",
    ),
    (
        "/hire holidays",
        "The company days off ahead: nudges and warnings skip them, as they skip weekends",
        "/hire holidays",
    ),
    (
        "/hire holidays add|remove <date>[..<date>] [name]",
        "Add or remove company days off, one date or up to 31 at once (admins)",
        "/hire holidays add 2026-12-25 Christmas Day",
    ),
    ("/hire admin", "The Loopkeeper admins (admins)", "/hire admin"),
    ("/hire admin add|remove @person", "Add or remove an admin (admins)", "/hire admin add @jane"),
    (
        "Share a .toml template with me in a DM",
        "Install a scorecard template: its problems by line, or a preview to install (admins)",
        "acme-ml.toml",
    ),
    ("/hire help", "This list", "/hire help"),
]

STAGES_LINE = (
    "Stages: sourced → screening → interviewing → decision → offer → hired; "
    "rejected or withdrawn from any open stage. Leaving the process cancels the "
    "candidate's interviews still to come, and tells their interviewers."
)


# Most people in a workspace only interview: their two ways in, before the whole list.
INTERVIEWING = (
    "*Interviewing?* `/hire feedback` lists your scorecards to submit and take-homes to "
    "grade; each interview kit in your DMs with me has *Submit scorecard* and *I can't "
    "make it*. The rest is for recruiters and hiring managers."
)


def help_text() -> str:
    lines = [f"`{usage}`: {what}. Example: `{example}`" for usage, what, example in COMMANDS]
    return "Loopkeeper commands:\n" + "\n".join(lines)


def help_blocks(intro: str | None = None) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Loopkeeper")]
    if intro:
        blocks.append(section(intro))
    blocks.append(context(INTERVIEWING))
    rows = [f"*`{usage}`*\n{what}. Example: `{example}`" for usage, what, example in COMMANDS]
    blocks += [section(text) for text in _within_a_section(rows, "\n\n")]
    blocks.append(context(STAGES_LINE))
    return blocks


def _within_a_section(rows: list[str], joint: str) -> list[str]:
    """The rows joined into as few texts as fit a section each (Slack refuses a longer
    one, and the list of commands grows)."""
    texts: list[str] = []
    for row in rows:
        if texts and len(texts[-1]) + len(joint) + len(row) <= MAX_SECTION:
            texts[-1] += joint + row
        else:
            texts.append(row)
    return texts
