"""The stand-in Slack keeps a workspace as Slack would: what each Web API call and
response_url post leaves for people to see. The playground renders exactly this."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.playground.standin import SlackStandin

TOKEN = "xoxb-test-token"
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Form"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


@pytest.fixture
async def slack() -> AsyncIterator[tuple[SlackStandin, AsyncWebClient]]:
    async with SlackStandin(token=TOKEN, now=lambda: 1_796_115_600.0) as standin:
        yield standin, AsyncWebClient(token=TOKEN, base_url=standin.url)
        assert standin.invalid == []


async def test_messages_land_in_the_dm_and_are_edited_and_deleted(
    slack: tuple[SlackStandin, AsyncWebClient],
) -> None:
    standin, client = slack
    posted = await client.chat_postMessage(channel="UREC0001", text="first")
    assert posted["channel"] == "DUREC0001"
    assert posted["ts"].startswith("1796115600.")  # the injected clock, not the wall's
    await client.chat_update(channel="DUREC0001", ts=posted["ts"], text="second")
    kept = standin.find_message("DUREC0001", posted["ts"])
    assert kept is not None and kept["text"] == "second" and kept["edited"]
    await client.chat_delete(channel="DUREC0001", ts=posted["ts"])
    assert standin.conversations["DUREC0001"] == []
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_delete(channel="DUREC0001", ts=posted["ts"])


async def test_ephemeral_answers_are_kept_for_one_person(
    slack: tuple[SlackStandin, AsyncWebClient],
) -> None:
    standin, client = slack
    await client.chat_postEphemeral(channel="GHIRING01", user="UREC0001", text="only you")
    (kept,) = standin.conversations["GHIRING01"]
    assert kept["ephemeral_to"] == "UREC0001"


async def test_response_urls_reply_replace_and_delete_as_slack_does(
    slack: tuple[SlackStandin, AsyncWebClient],
) -> None:
    standin, client = slack
    original = await client.chat_postMessage(channel="GHIRING01", text="card")
    standin.response_targets["click"] = {
        "user": "UREC0001",
        "channel": "GHIRING01",
        "ts": original["ts"],
    }
    standin.response_targets["command"] = {"user": "UREC0001", "channel": "GHIRING01", "ts": None}
    async with httpx.AsyncClient() as http:
        await http.post(standin.response_url("command"), json={"text": "just for you"})
        await http.post(
            standin.response_url("click"), json={"text": "card, moved", "replace_original": True}
        )
    messages = standin.conversations["GHIRING01"]
    assert [m["text"] for m in messages] == ["card, moved", "just for you"]
    assert messages[0]["edited"] and messages[1]["ephemeral_to"] == "UREC0001"
    async with httpx.AsyncClient() as http:
        await http.post(standin.response_url("click"), json={"delete_original": True})
    assert [m["text"] for m in standin.conversations["GHIRING01"]] == ["just for you"]


async def test_modals_stack_per_person_up_to_three(
    slack: tuple[SlackStandin, AsyncWebClient],
) -> None:
    standin, client = slack
    for n in range(4):
        standin.trigger_users[f"t{n}"] = "UINT0001"
    opened = await client.views_open(trigger_id="t0", view=MODAL)
    await client.views_push(trigger_id="t1", view=MODAL)
    await client.views_push(trigger_id="t2", view=MODAL)
    with pytest.raises(SlackApiError, match="push_limit_reached"):
        await client.views_push(trigger_id="t3", view=MODAL)
    assert len(standin.modals["UINT0001"]) == 3
    standin.close_modal("UINT0001")
    assert len(standin.modals["UINT0001"]) == 2
    standin.close_modal("UINT0001", every=True)
    assert standin.modal_of("UINT0001") is None
    assert standin.modal_of("UREC0001") is None  # nobody else's modal opened
    assert opened["view"]["root_view_id"] == opened["view"]["id"]


async def test_a_file_shared_in_a_channel_is_a_message_and_survives_a_snapshot(
    slack: tuple[SlackStandin, AsyncWebClient],
) -> None:
    standin, client = slack
    await client.files_upload_v2(
        channel="GHIRING01", content=b"\x89PNG fake", filename="week.png", title="Weekly"
    )
    await client.views_publish(user_id="UHM00001", view={**MODAL, "type": "home"})
    standin.trigger_users["t"] = "UHM00001"
    await client.views_open(trigger_id="t", view=MODAL)
    (shared,) = standin.conversations["GHIRING01"]
    assert shared["files"][0]["mimetype"] == "image/png"

    saved = standin.snapshot()
    async with SlackStandin(token=TOKEN) as restarted:
        restarted.restore(saved)
        assert restarted.conversations == standin.conversations
        assert restarted.files[shared["files"][0]["id"]]["bytes"] == b"\x89PNG fake"
        assert restarted.home_of("UHM00001") is not None
        assert restarted.modal_of("UHM00001") is None  # modals close on a reload
