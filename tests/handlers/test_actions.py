"""Buttons on status cards and choice lists, through signed block_actions requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.domain.stages import Stage
from bot.readmodels import status as status_model
from bot.runtime.timesource import ManualClock
from tests import flows
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
    press,
)


async def status_card(app: Running, name: str, user: str = RECRUITER) -> dict[str, Any]:
    return answer(await app.slack.command(f"status {name}", user=user))


EPHEMERAL = {"type": "message", "message_ts": "1.2", "channel_id": "C111", "is_ephemeral": True}


async def click(app: Running, message: dict[str, Any], label: str, *, user: str) -> list[Any]:
    """Click a button of an ephemeral message; returns what went to its response_url."""
    return await flows.click(app, message, label, user=user, container=EPHEMERAL)


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
    [reply] = await click(app, card, "Advance to screening", user=HM)

    # Who moved her, and when: "already moved" alone did not say it was Riya.
    assert f"already moved to screening by <@{RECRUITER}> (<!date^" in reply.args["text"]
    assert reply.args["text"].endswith("; nothing changed.")
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced", "screening"]


async def test_move_button_opens_the_modal_and_reject_preselects(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe", user=HM)

    await click(app, card, "Move…", user=HM)
    assert last_view(app)["callback_id"] == "candidate_move"
    reason = next(b for b in last_view(app)["blocks"] if b.get("block_id") == "reason")
    assert reason["optional"] is True  # needed only for rejected or withdrawn
    await click(app, card, "Reject", user=HM)
    form = last_view(app)
    stage = next(b for b in form["blocks"] if b.get("block_id") == "stage")
    assert stage["element"]["initial_option"]["value"] == "rejected"
    # Opened to reject, the form says so, and does not mark the reason "(optional)".
    assert (form["title"]["text"], form["submit"]["text"]) == ("Reject candidate", "Reject")
    reason = next(b for b in form["blocks"] if b.get("block_id") == "reason")
    assert not reason.get("optional")

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

    [reply] = await press(
        app, button["action_id"], button["value"], user=RECRUITER, message=choices, ephemeral=True
    )
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
    peek = await press(app, "status_open", str(jane.id), user=OUTSIDER)

    for reply in (*advance, *move, *peek):
        assert "Jane" not in reply.args["text"]
        assert "can't find that candidate" in reply.args["text"]
    assert len(app.standin.calls_to("views.open")) == opened_before
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced"]


async def test_a_button_with_a_mangled_value_is_answered_not_crashed(app: Running) -> None:
    replies: list[Any] = []
    for action_id, value in (("move_advance", "x:y"), ("move_open", "abc"), ("status_open", "")):
        replies += await press(app, action_id, value, user=RECRUITER)
    assert len(replies) == 3
    assert all("Jane" not in r.args["text"] for r in replies)


async def test_a_rate_limited_modal_is_not_held_past_slacks_three_seconds(app: Running) -> None:
    # Slack says wait 10 s; the trigger lives 3 s: the person is told to click again at
    # once (the test client's own timeout would end a 10 s wait), and nothing retries.
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe", user=HM)
    opened_before = len(app.standin.calls_to("views.open"))
    app.standin.rate_limit_next("views.open", retry_after=10, times=2)

    [reply] = await click(app, card, "Move…", user=HM)

    assert "`ratelimited`" in reply.args["text"] and "click again" in reply.args["text"]
    assert len(app.standin.calls_to("views.open")) == opened_before + 1


async def test_an_html_answer_to_views_open_tells_the_person_to_click_again(
    app: Running,
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    card = await status_card(app, "Jane Doe", user=HM)
    app.standin.html_next("views.open", content_type="application/json")

    [reply] = await click(app, card, "Move…", user=HM)

    assert "not a Slack answer" in reply.args["text"] and "click again" in reply.args["text"]


async def test_a_move_made_through_the_card_s_form_redraws_that_card(app: Running) -> None:
    """Rejected with the card's Reject (a form, for the reason), the card Hana clicked
    went on showing Jane in screening with Advance and Reject buttons; Advance, with no
    form, redrew it. Now both do."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to screening", user=RECRUITER)
    card = await status_card(app, "Jane Doe", user=HM)
    assert await click(app, card, "Reject", user=HM) == []
    form = last_view(app)
    before = len(app.standin.calls)

    done = await app.slack.submit_view(form, {"reason": "not senior enough"}, user=HM)
    assert not done.content, done.text
    await app.settle()

    [redrawn] = [c for c in app.standin.calls[before:] if c.method.startswith("response_url:")]
    assert redrawn.args["replace_original"] is True
    shown = blocks_text(redrawn.args["blocks"])
    assert "rejected" in shown and "Advance to interviewing" not in buttons(redrawn.args["blocks"])


async def test_a_reason_too_long_is_refused_under_the_reason(app: Running) -> None:
    """A 5,000-character reason in the Move form came back under "Move to"."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe", user=RECRUITER)
    view = last_view(app)
    assert view["callback_id"] == "candidate_move"
    refused = await app.slack.submit_view(
        view, {"stage": "rejected", "reason": "x" * 5000}, user=RECRUITER
    )
    assert refused.json()["errors"] == {"reason": "Keep the reason to 3,000 characters at most."}


async def test_a_card_clicked_again_within_the_minute_is_sent_as_drawn(
    app: Running, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second click of a card in the same minute sends it as drawn the first time,
    clocks included, without working them out again; the next minute works them out."""
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    worked_out: list[str] = []
    summary = status_model.clock_summary

    def counted(*args: Any, **kwargs: Any) -> Any:
        worked_out.append("clocks")
        return summary(*args, **kwargs)

    monkeypatch.setattr(status_model, "clock_summary", counted)
    [first] = await press(app, "status_open", str(jane.id), user=RECRUITER)
    [again] = await press(app, "status_open", str(jane.id), user=RECRUITER)
    assert worked_out == ["clocks"]
    assert again.args["blocks"] == first.args["blocks"]
    assert "Jane Doe" in blocks_text(again.args["blocks"])
    clock.advance(timedelta(minutes=1))
    await press(app, "status_open", str(jane.id), user=RECRUITER)
    assert worked_out == ["clocks", "clocks"]
