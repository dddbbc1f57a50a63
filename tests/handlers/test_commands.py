"""`/hire` through signed slash-command requests: what the person sees, what is stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot import store
from bot.domain.stages import Stage
from tests.conftest import ADMIN, HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    add_candidate,
    all_candidates,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    click,
    create_role,
    events_of,
    last_view,
)


def private(body: dict) -> None:
    # An answer to a slash command is ephemeral unless it asks to be in_channel.
    assert body.get("response_type", "ephemeral") == "ephemeral"


async def test_bare_hire_and_help_list_every_subcommand_with_an_example(app: Running) -> None:
    for text in ("", "help", "HELP"):
        response = await app.slack.command(text, user=OUTSIDER)
        assert response.status_code == 200
        body = answer(response)
        private(body)
        shown = blocks_text(body["blocks"])
        for usage in ("/hire status", "/hire add", "/hire move", "/hire role"):
            assert usage in shown
        assert shown.count("Example:") >= 5


async def test_status_shows_role_stage_time_in_stage_and_history(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")
    clock.advance(timedelta(days=2, hours=3))

    response = await app.slack.command("status jane", user=HM)

    body = answer(response)
    private(body)
    shown = blocks_text(body["blocks"])
    assert "Jane Doe" in shown
    assert "MLOps Engineer" in shown
    assert "Sourced for 2 days 3 hours" in shown
    assert "jane@example.com" in shown
    assert f"added in *sourced* by <@{RECRUITER}>" in shown
    assert "Advance to screening" in buttons(body["blocks"])


async def test_a_bare_name_is_read_as_a_status_question(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "José Álvarez", role=role)

    body = answer(await app.slack.command("jose alvares", user=RECRUITER))

    assert "José Álvarez" in blocks_text(body["blocks"])


async def test_outsider_gets_exactly_the_answer_of_a_name_that_does_not_exist(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)

    outsider = answer(await app.slack.command("status Jane Doe", user=OUTSIDER))
    nobody = answer(await app.slack.command("status Jane Doe", user=RECRUITER_2))
    missing = answer(await app.slack.command("status Jane Doe", user=RECRUITER))

    assert outsider == nobody
    assert "couldn't find a candidate called “Jane Doe”" in outsider["text"]
    assert "Jane Doe" in blocks_text(missing["blocks"])  # the team does see her
    # An admin is not on the role's team either.
    assert answer(await app.slack.command("status Jane Doe", user=ADMIN)) == outsider


async def test_unknown_name_gets_an_example(app: Running) -> None:
    await create_role(app)
    body = answer(await app.slack.command("status Nobody Here", user=RECRUITER))
    private(body)
    assert "`/hire status Jane`" in body["text"]


async def test_status_without_a_name_asks_whose(app: Running) -> None:
    body = answer(await app.slack.command("status", user=RECRUITER))
    assert "Whose status?" in body["text"]


async def test_ambiguous_name_offers_a_short_choice_list(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)

    body = answer(await app.slack.command("status jane", user=RECRUITER))

    assert "Several candidates match" in body["text"]
    choices = [b for b in body["blocks"] if b.get("accessory", {}).get("type") == "button"]
    assert len(choices) == 2
    assert {"Jane Doe", "Jane Smith"} <= set(
        part.strip("*") for c in choices for part in c["text"]["text"].split(" · ")
    )


async def test_role_opens_the_modal_for_admins_only(app: Running) -> None:
    refused = await app.slack.command("role", user=RECRUITER)
    assert "Only Loopkeeper admins can create roles" in answer(refused)["text"]
    assert app.standin.calls_to("views.open") == []

    opened = await app.slack.command("role", user=ADMIN)
    assert opened.status_code == 200 and not opened.content
    view = last_view(app)
    assert view["callback_id"] == "role_create"
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels[:5] == [
        "Role title",
        "Hiring manager",
        "Recruiters",
        "Private hiring channel",
        "Scorecard template",
    ]
    template = next(b for b in view["blocks"] if b["block_id"] == "template")
    assert template["element"]["initial_option"]["value"] == "mlops"


async def test_add_needs_a_role_on_which_you_recruit(app: Running) -> None:
    body = answer(await app.slack.command("add Jane Doe", user=OUTSIDER))
    assert "you are on none yet" in body["text"]
    assert app.standin.calls_to("views.open") == []


async def test_add_prefills_the_name_and_the_only_role(app: Running) -> None:
    role = await create_role(app)
    await app.slack.command("add Jane Doe", user=HM)
    view = last_view(app)
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["name"]["element"]["initial_value"] == "Jane Doe"
    assert blocks["role"]["element"]["initial_option"]["value"] == str(role.id)


async def test_expired_trigger_gets_a_retry_message_and_nothing_opens(app: Running) -> None:
    await create_role(app)
    app.standin.fail_next("views.open", "expired_trigger_id")
    body = answer(await app.slack.command("add", user=RECRUITER))
    assert "Please run the command again" in body["text"]


async def test_move_in_one_line_records_the_event(app: Running, clock) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    clock.advance(timedelta(hours=5))

    body = answer(await app.slack.command("move jane doe to screening", user=RECRUITER))

    private(body)
    assert "Jane Doe is now in screening" in body["text"]
    moved = await candidate_named(app, "Jane Doe")
    assert moved.stage == Stage.SCREENING
    assert moved.stage_entered_at == clock.now()
    last = (await events_of(app, jane))[-1]
    assert (last.from_stage, last.to_stage, last.actor_id) == ("sourced", "screening", RECRUITER)


@pytest.mark.both_databases
async def test_a_move_back_undone_within_the_hour_keeps_the_clocks_as_they_were(
    app: Running, clock
) -> None:
    """Moved back to screening by mistake and forward again at once, a candidate whose loop
    ran late is still late: the slip does not start a fresh week. Later than an hour, the
    move back was real, and the loop starts again (docs/clocks.md)."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to interviewing", user=RECRUITER)
    entered = clock.now()
    clock.advance(timedelta(days=8))
    await app.slack.command("move Jane Doe to screening: one more call", user=RECRUITER)
    clock.advance(timedelta(minutes=5))

    await app.slack.command("move Jane Doe to interviewing: call not needed", user=RECRUITER)

    jane = await candidate_named(app, "Jane Doe")
    assert (jane.stage, jane.stage_entered_at) == (Stage.INTERVIEWING, entered)
    shown = blocks_text(answer(await app.slack.command("status Jane", user=RECRUITER))["blocks"])
    assert "Loop day 9 of 7" in shown and "undone within the hour" in shown, shown

    await app.slack.command("move Jane Doe to screening: one more call", user=RECRUITER)
    clock.advance(timedelta(hours=2))
    await app.slack.command("move Jane Doe to interviewing", user=RECRUITER)
    assert (await candidate_named(app, "Jane Doe")).stage_entered_at == clock.now()


async def test_a_nul_byte_in_a_command_is_refused_before_anything_is_stored(
    app: Running,
) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)

    body = answer(await app.slack.command("move Jane Doe to screening: wa\x00it", user=RECRUITER))

    private(body)
    assert "NUL character" in body["text"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced"]


async def test_a_jump_says_which_stages_it_skipped(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)

    await app.slack.command("move Jane Doe to interviewing", user=HM)

    last = (await events_of(app, jane))[-1]
    assert last.detail == "jumped from sourced to interviewing, skipping screening"


async def test_reject_in_one_line_needs_a_reason(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)

    refused = answer(await app.slack.command("move Jane Doe to rejected", user=RECRUITER))
    assert "needs a reason" in refused["text"]
    assert "`/hire move Jane Doe to rejected: <reason>`" in refused["text"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED

    done = await app.slack.command("move Jane Doe to rejected: chose another offer", user=RECRUITER)
    assert "now in rejected" in answer(done)["text"]
    last = (await events_of(app, jane))[-1]
    assert (last.to_stage, last.note) == ("rejected", "chose another offer")


async def test_illegal_moves_are_explained_and_change_nothing(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)

    hired = answer(await app.slack.command("move Jane Doe to hired", user=RECRUITER))
    assert "move them to offer first" in hired["text"]
    same = answer(await app.slack.command("move Jane Doe to sourced", user=RECRUITER))
    assert "already in sourced" in same["text"]
    typo = answer(await app.slack.command("move Jane Doe to screenin", user=RECRUITER))
    assert "I don't know the stage “screenin”" in typo["text"]
    assert typo["text"].endswith("Did you mean `/hire move Jane Doe to screening`?")
    odd = answer(await app.slack.command("move Jane Doe to banana: x", user=RECRUITER))
    assert "Example: `/hire move Jane Doe to rejected: took another offer`" in odd["text"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED


async def test_closed_candidates_cannot_move(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to withdrawn: accepted elsewhere", user=RECRUITER)

    body = answer(await app.slack.command("move Jane Doe to screening", user=RECRUITER))
    assert "final" in body["text"]
    modal = answer(await app.slack.command("move Jane Doe", user=RECRUITER))
    assert "final" in modal["text"]


async def test_move_without_a_stage_opens_the_move_modal(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)

    response = await app.slack.command("move Jane", user=RECRUITER)

    assert response.status_code == 200 and not response.content
    view = last_view(app)
    assert view["callback_id"] == "candidate_move"
    stages = next(b for b in view["blocks"] if b.get("block_id") == "stage")
    offered = [o["value"] for o in stages["element"]["options"]]
    assert offered == ["screening", "interviewing", "decision", "offer", "rejected", "withdrawn"]


async def test_outsiders_cannot_move_and_learn_nothing(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)

    for text in ("move Jane Doe to screening", "move Jane Doe"):
        body = answer(await app.slack.command(text, user=OUTSIDER))
        assert "couldn't find a candidate called “Jane Doe”" in body["text"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED
    assert len(await all_candidates(app)) == 1


async def test_an_unknown_name_gets_an_example_of_the_command_asked(app: Running) -> None:
    await create_role(app)
    for sub in ("edit", "move", "notes", "deadline"):
        body = answer(await app.slack.command(f"{sub} Nobody Here", user=RECRUITER))
        assert f"e.g. `/hire {sub} Jane`" in body["text"], body["text"]


# Each command that takes a name, and what choosing one of several namesakes opens.
NAME_COMMANDS = {
    "status": "card",
    "move": "form",
    "schedule": "form",
    "offer": "form",
    "edit": "form",
    "deadline": "form",
    "note": "form",
    "notes": "card",
    "history": "card",
}


@pytest.mark.parametrize("command", NAME_COMMANDS)
async def test_choosing_one_of_several_namesakes_goes_on(app: Running, command: str) -> None:
    """`/hire <command> Jane` with two Janes lists both; Choose goes on with the one
    picked, as if their whole name had been typed."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    if command == "offer":
        for name in ("Jane Doe", "Jane Smith"):
            await app.slack.command(f"move {name} to decision", user=RECRUITER)
    choices = answer(await app.slack.command(f"{command} Jane", user=RECRUITER))
    assert choices["text"].startswith("Several candidates match"), choices["text"]
    smith = {"blocks": [b for b in choices["blocks"] if "Jane Smith" in str(b)]}
    before = len(app.standin.calls)
    shown = await click(app, smith, "Choose", user=RECRUITER, settle=True)
    if NAME_COMMANDS[command] == "form":
        [opened] = [c for c in app.standin.calls[before:] if c.method == "views.open"]
        assert "Jane Smith" in str(opened.args["view"]), opened.args["view"]
    else:
        assert "Jane Smith" in blocks_text(shown[-1].args["blocks"])


# A guess at a typo: read at once, never acted on unasked -----------------------------------


def view_value(view: dict[str, Any], block_id: str) -> Any:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element = block["element"]
    return element.get("initial_option", {}).get("value") or element.get("initial_value")


async def test_a_one_line_move_on_a_name_only_like_the_one_typed_asks_first(
    app: Running,
) -> None:
    """`Sara Okafor` is close to Sam Okafor, not his name: the rejection is not made on
    that guess. The answer asks "Did you mean …?", and Choose opens the form with the
    stage and the reason filled in, to send once the name is right."""
    role = await create_role(app)
    await add_candidate(app, "Sam Okafor", role=role)
    before = len(app.standin.calls)

    asked = answer(
        await app.slack.command("move Sara Okafor to rejected: declined", user=RECRUITER)
    )

    assert asked["text"] == "No candidate is called “Sara Okafor”. Did you mean this one?"
    assert "Sam Okafor" in blocks_text(asked["blocks"])
    assert (await candidate_named(app, "Sam Okafor")).stage == "sourced"
    assert [c for c in app.standin.calls[before:] if c.method == "chat.postMessage"] == []
    await click(app, asked, "Choose", user=RECRUITER, settle=True)
    form = last_view(app)
    assert "Sam Okafor" in blocks_text(form["blocks"])
    assert view_value(form, "stage") == "rejected" and view_value(form, "reason") == "declined"

    # The name as typed, or the start of its words, acts at once as before.
    moved = answer(await app.slack.command("move sam oka to screening", user=RECRUITER))
    assert "Sam Okafor is now in screening" in moved["text"], moved["text"]


async def test_a_note_on_a_guessed_name_keeps_its_text_for_the_form(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    asked = answer(await app.slack.command("note Jnae Doe: expects 90k: flexible", user=RECRUITER))
    assert asked["text"].startswith("No candidate is called “Jnae Doe”")
    await click(app, asked, "Choose", user=RECRUITER, settle=True)
    assert view_value(last_view(app), "note") == "expects 90k: flexible"
    async with app.deps.db.reader() as session:
        assert await store.changes.notes_of_candidate(session, candidate_id=1) == []


async def test_a_card_found_by_a_guess_says_whose_it_is(app: Running) -> None:
    """Reading changes nothing: the card shows at once, above it that it is the closest
    name to the one typed."""
    role = await create_role(app)
    await add_candidate(app, "Mia Jensen", role=role)
    shown = blocks_text(
        answer(await app.slack.command("status Mia Jenson", user=RECRUITER))["blocks"]
    )
    assert "No candidate is called “Mia Jenson”: this is the closest name, Mia Jensen." in shown
    exact = blocks_text(
        answer(await app.slack.command("status Mia Jensen", user=RECRUITER))["blocks"]
    )
    assert "closest name" not in exact


async def test_choosing_among_namesakes_keeps_what_was_typed_with_the_name(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    choices = answer(
        await app.slack.command("move jane to withdrawn: took another job", user=RECRUITER)
    )
    smith = {"blocks": [b for b in choices["blocks"] if "Jane Smith" in str(b)]}
    await click(app, smith, "Choose", user=RECRUITER, settle=True)
    form = last_view(app)
    assert "Jane Smith" in blocks_text(form["blocks"])
    assert view_value(form, "stage") == "withdrawn"
    assert view_value(form, "reason") == "took another job"


async def test_more_matches_than_the_list_shows_are_said(app: Running) -> None:
    role = await create_role(app)
    for last in ("Ames", "Bell", "Cole", "Dunn", "Egan", "Ford"):
        await add_candidate(app, f"Noah {last}", role=role)
    choices = answer(await app.slack.command("status noah", user=RECRUITER))
    assert len(buttons(choices["blocks"]).get("Choose", [])) >= 1
    shown = blocks_text(choices["blocks"])
    assert shown.count("Noah ") == 5
    assert "More names match: type more of the name to narrow it down." in shown


async def test_history_shows_every_move_and_change_the_card_leaves_out(app: Running, clock) -> None:
    """The card keeps the latest few lines; after a few reschedules the name fix and the
    'added' line were gone, with nothing to say so. `/hire history` has them all."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    for stage in ("screening", "sourced", "screening", "interviewing", "decision", "screening"):
        clock.advance(timedelta(hours=2))
        await app.slack.command(f"move Jane Doe to {stage}: step to {stage}", user=RECRUITER)
    card = blocks_text(answer(await app.slack.command("status Jane", user=RECRUITER))["blocks"])
    assert "added in *sourced*" not in card
    assert "*History* (latest first · all of it: `/hire history Jane Doe`)" in card

    whole = answer(await app.slack.command("history Jane", user=RECRUITER))

    private(whole)
    shown = blocks_text(whole["blocks"])
    assert "*History of Jane Doe (MLOps Engineer), latest first*" in shown
    assert "added in *sourced*" in shown and shown.count("step to screening") == 3
    assert shown.index("step to decision") < shown.index("step to interviewing")
    assert (
        "Whose? Example: `/hire history Jane Doe`."
        in answer(await app.slack.command("history", user=RECRUITER))["text"]
    )
    assert "couldn't find" in answer(await app.slack.command("history Jane", user=OUTSIDER))["text"]
