"""A person named in words written before they are shown (a note above a card, a
refusal): marked with NUL bytes, which no typed text holds (forms and imports refuse
them), so that only these become mentions when Slack text is made of the words
(bot.slack.blocks.common.note_markup) and a name typed as "<@U123>" stays text."""

from __future__ import annotations


def mention(user_id: str) -> str:
    return f"\x00{user_id}\x00"
