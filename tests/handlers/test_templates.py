"""Scorecard templates without a deploy: an admin shares a TOML file in a DM, gets each
problem with its line or a preview with Install, and installs it as the next version,
once. A role keeps its version, and a scorecard reads the same after a new version.
Every request is signed as Slack signs it; the Web API is the product's stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.scorecards import forget_installed
from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.slack.blocks.templates import INSTALL, install_value
from bot.store.tables import Change, Role, TemplateVersion
from bot.usecases.templates import ADMINS_ONLY, digest_of
from tests import flows
from tests.conftest import ADMIN, HM, RECRUITER, Running, serving
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    create_role,
    last_view,
    press,
    schedule,
    stored,
    submit_scorecard,
)

# The admin rows and template versions rely on ON CONFLICT and row locks: the
# installs and races run on both databases, the file checks on SQLite.


def acme(
    *,
    first: str = "Probing questions",
    plan_name: str = "Technical deep dive",
    minutes: int = 45,
    extra: str = "",
) -> str:
    return f'''# Acme's ML engineers.
name = "acme-ml"
title = "Acme ML engineer"

[[competencies]]
key = "probing"
name = "{first}"
description = "Asks what the data says before modelling."
strong = "Names the leak they found and how."
weak = "Starts with the model."

[[competencies]]
key = "shipping"
name = "Shipping models"
description = "Gets a model in front of users safely."
strong = "Shadow traffic, then a staged rollout."
weak = "Copies a pickle to a server."

[[plan]]
key = "deep"
name = "{plan_name}"
description = "One real project, end to end."
minutes = {minutes}
competencies = ["probing", "shipping"]
{extra}'''


TAKEHOME = """
[takehome]
brief = "Train and serve a small model."
hours = 3

[[takehome.parts]]
key = "serve"
name = "Serving"
competency = "shipping"
strong = "Validates input."
weak = "No validation."
"""


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test's database is new: so is the process's registry of installed versions."""
    forget_installed()
    yield
    forget_installed()


async def share(app: Running, text: str, *, user: str = ADMIN, name: str = "acme-ml.toml") -> dict:
    """Share the file in the DM with the app; returns the app's answer there."""
    before = len(app.standin.calls_to("chat.postMessage"))
    file = app.standin.share_file(user, name, text.encode())
    body = {
        "type": "message",
        "subtype": "file_share",
        "user": user,
        "channel": f"D{user}",
        "channel_type": "im",
        "text": "",
        "files": [file],
    }
    response = await app.slack.event(body, event_id=f"Ev{file['id']}")
    assert response.status_code == 200, response.text
    await app.settle()
    [posted] = app.standin.calls_to("chat.postMessage")[before:]
    assert posted.args["channel"] == f"D{user}"
    return dict(posted.args)


async def install(app: Running, preview: dict[str, Any], *, user: str = ADMIN) -> dict[str, Any]:
    answers = await flows.click(
        app,
        preview,
        next(iter(buttons(preview["blocks"]))),
        user=user,
        answers="tpl",
        channel=f"D{user}",
        settle=True,
    )
    return dict(answers[-1].args)


async def versions(app: Running) -> list[tuple[str, int]]:
    return [(v.name, v.version) for v in await stored(app, TemplateVersion)]


@pytest.mark.both_databases
async def test_a_shared_template_is_previewed_then_installed_as_v1_then_v2(
    app: Running, clock: ManualClock
) -> None:
    preview = await share(app, acme(extra=TAKEHOME))
    shown = blocks_text(preview["blocks"])
    assert "*Acme ML engineer*" in shown and "*acme-ml v1*, a new template" in shown
    assert "Probing questions" in shown and "Shipping models" in shown
    assert "*Technical deep dive* (45 min)" in shown
    assert "*Take-home*: about 3 h, 72 h to hand it in; graded on Serving." in shown
    assert list(buttons(preview["blocks"])) == ["Install v1"]
    assert await versions(app) == []  # a preview installs nothing

    done = await install(app, preview)
    assert done["replace_original"] is True
    assert "Installed acme-ml v1 (Acme ML engineer)" in done["text"]
    assert await versions(app) == [("acme-ml", 1)]
    [change] = await stored(app, Change)
    assert (change.kind, change.actor_id, change.at) == ("template_installed", ADMIN, clock.now())

    second = await share(app, acme(first="Asking about the data", minutes=60))
    shown = blocks_text(second["blocks"])
    assert "*acme-ml v2* (v1 installed on" in shown and "(60 min)" in shown
    assert "Take-home" not in shown
    assert "Installed acme-ml v2" in (await install(app, second))["text"]
    assert await versions(app) == [("acme-ml", 1), ("acme-ml", 2)]
    [_, v2] = await stored(app, TemplateVersion)
    assert v2.source == acme(first="Asking about the data", minutes=60)


@pytest.mark.both_databases
async def test_a_double_click_installs_once(app: Running) -> None:
    preview = await share(app, acme())
    await install(app, preview)
    again = await install(app, preview)
    assert again["text"] == "acme-ml v1 (Acme ML engineer) is installed already; nothing changed."
    assert again["replace_original"] is False
    assert await versions(app) == [("acme-ml", 1)]
    # The same text shared again has nothing to install.
    repeat = await share(app, acme())
    assert "installed already; nothing to install" in repeat["text"]
    assert buttons(repeat["blocks"]) == {}


@pytest.mark.both_databases
async def test_two_clicks_at_once_install_once(app: Running) -> None:
    preview = await share(app, acme())
    value = buttons(preview["blocks"])["Install v1"]["value"]
    await asyncio.gather(
        *(press(app, INSTALL, value, user=ADMIN, answers=f"tpl{n}") for n in (1, 2))
    )
    await app.settle()
    answers = sorted(
        c.args["text"] for c in app.standin.calls if c.method.startswith("response_url:tpl")
    )
    assert len(answers) == 2
    assert answers[0].startswith("Installed acme-ml v1")
    assert answers[1].endswith("is installed already; nothing changed.")
    assert await versions(app) == [("acme-ml", 1)]


async def test_a_template_with_a_broken_line_is_refused_with_that_line(app: Running) -> None:
    broken = acme().replace('weak = "Starts with the model."', "weak = Starts with the model.")
    refused = await share(app, broken)
    assert "I can't install acme-ml.toml: 1 problem." in refused["text"]
    assert "(at line 10, column 8)" in refused["text"]  # the unquoted value
    assert buttons(refused["blocks"]) == {}

    too_short = await share(app, acme(minutes=5))
    assert "line 23: plan[0].minutes: at least 10" in too_short["text"]
    unknown = await share(app, acme().replace('["probing", "shipping"]', '["probing", "vibes"]'))
    assert (
        "line 24: plan[0].competencies: plan stage “deep” names competencies the template "
        "does not define: vibes" in unknown["text"]
    )
    assert await versions(app) == []


async def test_every_problem_of_a_file_is_named_in_one_answer_in_plain_words(
    app: Running,
) -> None:
    """A field out of shape and a plan stage naming an unknown competency: both in the
    first answer, in line order, in words a template's writer uses, so it takes one
    round to fix, not one round per kind of check."""
    broken = (
        acme(minutes=5)
        .replace('name = "acme-ml"', 'name = "Acme ML"')
        .replace('["probing", "shipping"]', '["probing", "vibes"]')
    )
    refused = (await share(app, broken))["text"]
    assert "3 problems" in refused, refused
    assert "line 2: name: use lowercase letters, digits, _ and -, starting with a letter" in (
        refused
    )
    assert "line 23: plan[0].minutes: at least 10" in refused
    assert "line 24: plan[0].competencies: plan stage “deep” names competencies" in refused
    assert refused.index("line 2:") < refused.index("line 23:") < refused.index("line 24:")
    assert "pattern" not in refused and "Input should" not in refused


async def test_a_template_named_like_a_built_in_one_is_refused(app: Running) -> None:
    clash = await share(app, acme().replace('name = "acme-ml"', 'name = "mlops"'), name="m.toml")
    assert "line 2: name: 'mlops' is a built-in template" in clash["text"]
    assert buttons(clash["blocks"]) == {}
    assert await versions(app) == []


async def test_only_admins_install_templates(app: Running) -> None:
    refused = await share(app, acme(), user=RECRUITER)
    assert refused["text"] == ADMINS_ONLY
    assert app.standin.calls_to("files.info") == []  # not even read
    # A forged Install click with a good value: refused, nothing installed.
    preview = await share(app, acme())
    value = buttons(preview["blocks"])["Install v1"]["value"]
    [answered] = await press(app, INSTALL, value, user=RECRUITER, settle=True)
    assert answered.args["text"] == ADMINS_ONLY
    assert await versions(app) == []


async def test_a_stale_install_button_says_what_changed(app: Running) -> None:
    first = await share(app, acme())
    other = await share(app, acme(first="Something else"))  # also "Install v1"
    await install(app, other)
    stale = await install(app, first)
    assert "acme-ml v1 was installed since this preview, so nothing was installed" in stale["text"]
    file_id = buttons(first["blocks"])["Install v1"]["value"].split(":")[0]
    [changed] = await press(
        app, INSTALL, install_value(file_id, digest_of("other text"), 2), user=ADMIN, settle=True
    )
    assert "That file changed since the preview" in changed.args["text"]
    [garbled] = await press(app, INSTALL, "F1:nope", user=ADMIN, settle=True)
    assert "out of date" in garbled.args["text"]
    assert await versions(app) == [("acme-ml", 1)]


async def test_a_csv_still_goes_to_the_importer(app: Running) -> None:
    answered = await share(app, "Name,Email\nJane Doe,jane@example.com\n", name="people.csv")
    assert "acme" not in answered["text"] and "template" not in answered["text"]
    assert await versions(app) == []


async def test_the_role_form_offers_the_newest_installed_version(app: Running) -> None:
    await install(app, await share(app, acme()))
    await install(app, await share(app, acme(minutes=60)))
    await app.slack.command("role", user=ADMIN)
    [select_] = [b for b in last_view(app)["blocks"] if b.get("block_id") == "template"]
    options = {o["value"]: o["text"]["text"] for o in select_["element"]["options"]}
    assert options == {"mlops": "MLOps engineer", "acme-ml@v2": "Acme ML engineer (v2)"}
    role = await create_role(app, template="acme-ml@v2")
    assert role.template == "acme-ml@v2"
    # A forged choice (the form's options edited): refused on the field.
    form = last_view(app)
    [field] = [b for b in form["blocks"] if b.get("block_id") == "template"]
    field["element"]["options"].append(
        {"text": {"type": "plain_text", "text": "x"}, "value": "acme-ml@v9"}
    )
    forged = await app.slack.submit_view(
        form,
        {
            "title": "Other",
            "hiring_manager": HM,
            "recruiters": [RECRUITER],
            "channel": "GHIRING01",
            "template": "acme-ml@v9",
        },
        user=ADMIN,
    )
    assert forged.json()["errors"] == {"template": "Pick one of the listed scorecard templates."}


@pytest.mark.both_databases
async def test_installing_v2_changes_no_role_and_its_edit_form_keeps_v1(app: Running) -> None:
    await install(app, await share(app, acme()))
    role = await create_role(app, template="acme-ml@v1")
    await install(app, await share(app, acme(minutes=60)))
    [kept] = await stored(app, Role)
    assert kept.template == "acme-ml@v1"

    response = await app.slack.command(f"role edit {role.title}", user=ADMIN)
    assert response.status_code == 200 and not response.content, response.text
    form = last_view(app)
    [field] = [b for b in form["blocks"] if b.get("block_id") == "template"]
    options = {o["value"]: o["text"]["text"] for o in field["element"]["options"]}
    assert options["acme-ml@v1"] == "Acme ML engineer (v1, current)"
    assert options["acme-ml@v2"] == "Acme ML engineer (v2)"
    assert field["element"]["initial_option"]["value"] == "acme-ml@v1"
    saved = await app.slack.submit_view(form, {}, user=ADMIN)  # saved as it was
    assert saved.status_code == 200 and not saved.content, saved.text
    [still] = await stored(app, Role)
    assert still.template == "acme-ml@v1"

    # Moved on to v2: the change reads as the form shows templates, not by their keys.
    await app.slack.command(f"role edit {role.title}", user=ADMIN)
    moved = await app.slack.submit_view(last_view(app), {"template": "acme-ml@v2"}, user=ADMIN)
    assert not moved.content, moved.text
    await app.settle()
    history = answer(await app.slack.command(f"role history {role.title}", user=ADMIN))
    assert "template: Acme ML engineer (v1) → Acme ML engineer (v2)" in blocks_text(
        history["blocks"]
    )


@pytest.mark.both_databases
async def test_a_scorecard_written_against_v1_reads_the_same_after_v2(
    app: Running, db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    await install(app, await share(app, acme()))
    role = await create_role(app, template="acme-ml@v1")
    await add_candidate(app, "Jane Doe", role=role)
    interview = await schedule(app, "Jane", plan="deep")
    assert interview.template == "acme-ml@v1"
    await submit_scorecard(app, interview, INTERVIEWER, rating="4")

    v2 = acme(first="Renamed competency", plan_name="Another plan", minutes=90)
    await install(app, await share(app, v2))
    async with app.deps.db.transaction() as session:  # the role moves on to v2
        stored_role = (await session.exec(select(Role).where(Role.id == role.id))).one()
        stored_role.template = "acme-ml@v2"
        session.add(stored_role)

    async def reads_as_v1(running: Running) -> None:
        card = answer(await running.slack.command("status Jane", user=HM))
        shown = blocks_text(card["blocks"])
        assert "Probing questions" in shown and "Renamed competency" not in shown
        assert "Strong yes" in shown
        view = buttons(card["blocks"])["View scorecard"]
        await running.slack.action(view["action_id"], view["value"], user=HM, message=card)
        read = blocks_text(running.standin.calls_to("views.open")[-1].args["view"]["blocks"])
        assert "Probing questions" in read and "Shipping models" in read
        assert "Renamed competency" not in read and "Overall: Strong yes" in read

    await reads_as_v1(app)
    # A process that never saw either version (another replica, a restart) reads them
    # from the database before it shows anything.
    forget_installed()
    async with serving(db_url, standin, clock) as replica:
        await replica.slack.command("help", user=HM)  # it has started (and read them)…
        forget_installed()  # …and forgets them: its reads must load them again
        await reads_as_v1(replica)
        await replica.slack.command("schedule Jane", user=RECRUITER)
        form = blocks_text(replica.standin.calls_to("views.open")[-1].args["view"]["blocks"])
        assert "Another plan" in form  # the role's own version now: v2's plan
