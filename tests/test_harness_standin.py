"""Tests of the harness itself: the Web API stand-in (bot/playground/standin.py), which
answers the app as Slack would. `standin` is conftest's, which fails a test that leaves Block
Kit violations behind: tests that provoke them on purpose clear them after asserting."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.playground.standin import SlackStandin, message_problems, view_problems
from tests.harness import every_input_view, modal, select


@pytest.fixture
def client(standin: SlackStandin) -> AsyncWebClient:
    return AsyncWebClient(token=standin.token, base_url=standin.url)


# ---- the Web API stand-in -------------------------------------------------------------------


async def test_auth_test(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "BBOT"
    assert response["team_id"] == "T111"


async def test_wrong_or_missing_token(standin: SlackStandin) -> None:
    with pytest.raises(SlackApiError) as wrong:
        await AsyncWebClient(token="xoxb-wrong", base_url=standin.url).auth_test()
    assert wrong.value.response["error"] == "invalid_auth"
    async with httpx.AsyncClient() as http:
        response = await http.post(standin.url + "auth.test")
    assert response.json() == {"ok": False, "error": "not_authed"}


async def test_post_message_to_a_user_lands_in_a_dm(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    first = await client.chat_postMessage(channel="U1", text="hi")
    second = await client.chat_postMessage(channel="C111", text="again")
    assert first["channel"] == "DU1"
    assert first["message"]["user"] == "UBOT"
    assert float(second["ts"]) > float(first["ts"])
    calls = await standin.wait_for("chat.postMessage", count=2)
    assert calls[0].args["text"] == "hi"
    assert calls[1].response is not None and calls[1].response["ts"] == second["ts"]


async def test_ephemeral_and_update(client: AsyncWebClient) -> None:
    ephemeral = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert ephemeral["message_ts"]
    posted = await client.chat_postMessage(channel="U1", text="card")
    updated = await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="new")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("DU1", posted["ts"], "new")
    # chat.update wants the DM's id that chat.postMessage answered, not the user's.
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.chat_update(channel="U1", ts=posted["ts"], text="new")


async def test_form_encoded_json_fields_are_decoded(standin: SlackStandin) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    async with httpx.AsyncClient() as http:
        await http.post(
            standin.url + "chat.postMessage",
            data={"channel": "C1", "text": "hi", "blocks": json.dumps(blocks)},
            headers={"Authorization": f"Bearer {standin.token}"},
        )
    assert standin.calls_to("chat.postMessage")[0].args["blocks"] == blocks


async def test_fail_next_raises_that_error_once(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    standin.fail_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as failure:
        await client.chat_postMessage(channel="C1", text="hi")
    assert failure.value.response["error"] == "channel_not_found"
    await client.chat_postMessage(channel="C1", text="hi")
    assert len(standin.calls_to("chat.postMessage")) == 2


async def test_rate_limit_is_retried_by_slack_sdk(
    standin: SlackStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack-sdk sleeps Retry-After plus random() seconds; no jitter keeps the test instant.
    monkeypatch.setattr(random, "random", lambda: 0.0)
    client = AsyncWebClient(
        token=standin.token,
        base_url=standin.url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    standin.rate_limit_next("chat.postMessage", retry_after=0)
    response = await client.chat_postMessage(channel="C1", text="hi")
    assert response["ok"]
    calls = standin.calls_to("chat.postMessage")
    assert [call.status for call in calls] == [429, 200]


async def test_server_error_is_retried_by_slack_sdk(standin: SlackStandin) -> None:
    handler = AsyncServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    client = AsyncWebClient(token=standin.token, base_url=standin.url, retry_handlers=[handler])
    standin.server_error_next("users.info", status=503)
    response = await client.users_info(user="U1")
    assert response["user"]["tz"] == "UTC"
    assert [call.status for call in standin.calls_to("users.info")] == [503, 200]


async def test_users_info_and_conversations_open(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    standin.set_user("U9", tz="Europe/Paris", tz_offset=7200, real_name="Ada", deleted=True)
    user = (await client.users_info(user="U9"))["user"]
    assert (user["tz"], user["tz_offset"], user["real_name"], user["deleted"]) == (
        "Europe/Paris",
        7200,
        "Ada",
        True,
    )
    assert (await client.conversations_open(users="U9,U8"))["channel"]["id"] == "DU9"
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("chat.meMessage", json={"channel": "C1", "text": "x"})


async def test_modal_with_a_25_character_title_is_refused(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client.views_open(trigger_id="1.2.a", view=modal(title="x" * 25))
    assert refused.value.response["error"] == "invalid_arguments"
    assert len(standin.invalid) == 1
    assert "views.open" in standin.invalid[0] and "title" in standin.invalid[0]
    standin.invalid.clear()


async def test_modal_of_101_blocks_is_refused(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(trigger_id="1.2.a", view=modal(blocks=101))
    assert "101 blocks" in standin.invalid[0]
    standin.invalid.clear()


async def test_other_view_rules(client: AsyncWebClient, standin: SlackStandin) -> None:
    text_input = {
        "type": "input",
        "block_id": "name",
        "label": {"type": "plain_text", "text": "Name"},
        "element": {"type": "plain_text_input", "action_id": "name"},
    }
    no_submit = {**modal(), "blocks": [text_input]}
    twice = {**modal(), "blocks": modal(blocks=2)["blocks"] * 2}
    for view in (no_submit, twice, {**modal(), "private_metadata": "x" * 3001}):
        with pytest.raises(SlackApiError, match="invalid_arguments"):
            await client.views_open(trigger_id="1.2.a", view=view)
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_publish(user_id="U1", view=modal())
    assert len(standin.invalid) == 4
    standin.invalid.clear()


async def test_message_block_rules(client: AsyncWebClient, standin: SlackStandin) -> None:
    blocks = modal(blocks=51)["blocks"]
    for _ in range(2):  # each message is checked once and remembered: refused again
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            await client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
        assert "51 blocks" in standin.invalid.pop()
    # Without top-level text Slack only warns, so the call succeeds but is recorded.
    with pytest.warns(UserWarning):
        await client.chat_postMessage(channel="C1", blocks=blocks[:1])
    assert "text" in standin.invalid.pop()


@pytest.mark.parametrize(
    ("blocks", "rule"),
    [
        ([select(101)], "101 options"),
        ([select(1, value_length=151)], "option value is 151 characters"),
        ([{"type": "actions", "elements": [{"type": "buton", "action_id": "a"}]}], "'buton'"),
        ([{"type": "nonsense"}], "not a known block type"),
        ([{"type": "divider", "block_id": "x" * 256}], "block_id cannot exceed 255"),
        ([{"type": "divider", "block_id": "d"}] * 2, "block_id 'd' is used twice"),
    ],
)
def test_block_rules_the_models_leave_out(blocks: list[dict[str, Any]], rule: str) -> None:
    assert rule in "; ".join(message_problems(blocks))
    assert rule in "; ".join(view_problems({**modal(), "blocks": blocks}))


def test_valid_blocks_built_with_the_models_pass() -> None:
    view = every_input_view()
    assert view_problems(view) == []
    assert message_problems([select(100)]) == []


async def test_a_trigger_id_is_good_once(client: AsyncWebClient, standin: SlackStandin) -> None:
    opened = await client.views_open(trigger_id="1.2.a", view=modal())
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["state"] == {"values": {}}
    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id="1.2.a", view=modal())
    assert reused.value.response["error"] == "expired_trigger_id"
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(view=modal())


async def test_views_update_checks_the_hash(client: AsyncWebClient) -> None:
    opened = (await client.views_open(trigger_id="1.2.a", view=modal()))["view"]
    updated = (
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Two"))
    )["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert updated["title"]["text"] == "Two"
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert stale.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=modal())


async def test_views_publish_keeps_the_home_view_id(client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": modal()["blocks"]}
    first = (await client.views_publish(user_id="U1", view=home))["view"]
    second = (await client.views_publish(user_id="U1", view=home))["view"]
    assert first["id"] == second["id"]
    assert first["hash"] != second["hash"]


async def test_response_url_posts_are_recorded(standin: SlackStandin) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(standin.response_url("U1"), json={"text": "done"})
    assert answer.status_code == 200
    calls = await standin.wait_for("response_url:U1")
    assert calls[0].args == {"text": "done"}


async def test_wait_for_times_out_with_the_calls_seen(
    client: AsyncWebClient, standin: SlackStandin
) -> None:
    await client.auth_test()
    with pytest.raises(AssertionError, match=r"views\.open.*got 0.*calls seen: auth\.test"):
        await standin.wait_for("views.open", timeout=0.05)
