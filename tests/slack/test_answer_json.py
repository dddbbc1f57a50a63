"""An answer on a click's response_url is written by orjson (bot/slack/notify.py:
json_bytes), and reads as the standard library's JSON would, whatever its text."""

from __future__ import annotations

import json

import pytest

from bot.slack.notify import json_bytes


@pytest.mark.parametrize(
    "text",
    [
        "*Jane Doe* · decision",
        'été ☃ 🎉 <@U123|riya> & "quoted" \\ back\nline',
        "\ud800 a lone surrogate, which orjson refuses",
    ],
)
def test_an_answer_reads_as_the_standard_librarys_json(text: str) -> None:
    message = {
        "text": text,
        "replace_original": True,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
    assert json.loads(json_bytes(message)) == json.loads(json.dumps(message))
