"""Buttons on status cards and choice lists, through signed block_actions requests."""

from __future__ import annotations

from typing import Any

from bot.domain.stages import Stage
from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    add_candidate,
    answer,
    blocks_text,
    buttons,
    candidate_named,
    create_role,
    events_of,
    last_view,
)


async def status_card(app: Running, name: str, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command(f"status {name}", user=user))


async def click(app: Running, message: dict[str, Any], label: str, *, user: str) -> list[Any]:
    """Click a button of an ephemeral message; returns what went to its response_url."""
    button = buttons(message["blocks"])[label]
    before = len(app.standin.calls)
    response = await app.slack.action(
        button["action_id"],
        button.get("value"),
        user=user,
        message=message,
        container={
            "type": "message",
            "message_ts": "1.2",
            "channel_id": "C111",
            "is_ephemeral": True,
        },
        response_url=app.standin.response_url(user),
    )
    assert response.status_code == 200
    return [c for c in app.standin.calls[before:] if c.method.startswith("response_url:")]


async def test_advance_button_moves_and_replaces_the_card(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe")
    assert buttons(card["blocks"])["Advance to screening"]["confirm"]  # asks before moving

    [reply] = await click(app, card, "Advance to screening", user=RECRUITER)

    assert reply.args["replace_original"] is True
    assert "Jane Doe is now in screening" in reply.args["text"]
    assert "Advance to interviewing" in buttons(reply.args["blocks"])
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced", "screening"]


async def test_a_second_click_on_an_old_card_moves_nothing(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe")

    await click(app, card, "Advance to screening", user=RECRUITER)
    [reply] = await click(app, card, "Advance to screening", user=RECRUITER)

    assert "already moved to screening; nothing changed" in reply.args["text"]
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced", "screening"]


async def test_move_button_opens_the_modal_and_reject_preselects(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe", user=HM)

    await click(app, card, "Move…", user=HM)
    assert last_view(app)["callback_id"] == "candidate_move"
    await click(app, card, "Reject", user=HM)
    stage = next(b for b in last_view(app)["blocks"] if b.get("block_id") == "stage")
    assert stage["element"]["initial_option"]["value"] == "rejected"

    body = (
        await app.slack.submit_view(last_view(app), {"reason": "did not meet the bar"}, user=HM)
    ).content
    assert not body
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.REJECTED


async def test_choosing_from_the_list_shows_that_card(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    choices = await status_card(app, "jane")
    button = next(
        b["accessory"]
        for b in choices["blocks"]
        if "Jane Smith" in b.get("text", {}).get("text", "")
    )

    await app.slack.action(
        button["action_id"],
        button["value"],
        user=RECRUITER,
        message=choices,
        response_url=app.standin.response_url("pick"),
        ephemeral=True,
    )

    [reply] = app.standin.calls_to("response_url:pick")
    assert reply.args["replace_original"] is True
    assert "Jane Smith" in blocks_text(reply.args["blocks"])
    assert "Jane Doe" not in blocks_text(reply.args["blocks"])


async def test_choosing_to_move_from_the_list_opens_the_modal(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    choices = answer(await app.slack.command("move jane", user=RECRUITER))
    button = choices["blocks"][1]["accessory"]

    await app.slack.action(button["action_id"], button["value"], user=RECRUITER, message=choices)

    view = last_view(app)
    assert view["callback_id"] == "candidate_move"


async def test_forged_clicks_by_outsiders_change_nothing_and_reveal_nothing(
    app: Running,
) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe")
    opened_before = len(app.standin.calls_to("views.open"))

    advance = await click(app, card, "Advance to screening", user=OUTSIDER)
    move = await click(app, card, "Move…", user=OUTSIDER)
    peek = await app.slack.action(
        "status_open", str(jane.id), user=OUTSIDER, response_url=app.standin.response_url("p")
    )

    assert peek.status_code == 200
    for reply in (*advance, *move, *app.standin.calls_to("response_url:p")):
        assert "Jane" not in reply.args["text"]
        assert "can't find that candidate" in reply.args["text"]
    assert len(app.standin.calls_to("views.open")) == opened_before
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced"]


async def test_a_button_with_a_mangled_value_is_answered_not_crashed(app: Running) -> None:
    for action_id, value in (("move_advance", "x:y"), ("move_open", "abc"), ("status_open", "")):
        response = await app.slack.action(
            action_id, value, user=RECRUITER, response_url=app.standin.response_url("m")
        )
        assert response.status_code == 200
    replies = app.standin.calls_to("response_url:m")
    assert len(replies) == 3
    assert all("Jane" not in r.args["text"] for r in replies)
