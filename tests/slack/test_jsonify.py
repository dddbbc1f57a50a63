"""bot/slack/blocks/jsonify.py turns Block Kit models into JSON exactly as slack-sdk's
own `to_dict()` does, limits checked alike. (tests/conftest.py also compares the two on
every model any test sends.)"""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.blocks.basic_components import Option
from slack_sdk.models.views import View

from bot.domain.scorecards import templates
from bot.domain.stages import Stage
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import roles as role_blocks
from bot.slack.blocks.common import Rendered
from bot.slack.blocks.help import help_blocks
from bot.slack.blocks.jsonify import as_json, as_json_list
from bot.usecases.candidates import Found
from tests.slack.test_blocks import LONG, NOW, card, role


def _largest() -> list[Any]:
    """Every kind of object the builders make, at the sizes test_blocks checks."""
    found = card()
    views = [
        role_blocks.create_role_modal(creator_id="UADMIN01", templates=templates()),
        cards.add_candidate_modal(roles=[role(i) for i in range(1, 150)], name=LONG * 2),
        cards.move_modal(card(), preselect=Stage.REJECTED),
    ]
    messages = [
        cards.status_message(found, now=NOW, can_move=True),
        cards.status_message(found, now=NOW, can_move=True, note=cards.stale_note(found)),
        cards.choices_message(
            LONG, Found([(found.candidate, found.role)] * 5, more=True), action=cards.OPEN_STATUS
        ),
        role_blocks.role_created_message(found.role, found.team.recruiter_ids, channel_problem="x"),
    ]
    return [*views, *(block for _, blocks in messages for block in blocks), *help_blocks()]


@pytest.mark.parametrize("model", _largest(), ids=lambda m: type(m).__name__)
def test_as_json_is_what_slack_sdk_makes(model: Any) -> None:
    assert as_json(model) == model.to_dict()


def test_a_list_of_blocks_and_plain_values_pass_through() -> None:
    blocks = [SectionBlock(text="a"), ActionsBlock(elements=[ButtonElement(text="b", value="1")])]
    assert as_json_list(blocks) == [b.to_dict() for b in blocks]
    assert as_json({"already": "json"}) == {"already": "json"}
    assert as_json("text") == "text"


def test_empty_lists_are_left_out_except_where_slack_takes_them() -> None:
    select = StaticMultiSelectElement(
        action_id="pick", options=[Option(value="1", text="One")], initial_options=[]
    )
    empty_rich = RichTextBlock(elements=[RichTextSectionElement(elements=[])])
    for model in (select, empty_rich):
        assert as_json(model) == model.to_dict()
    assert "elements" in as_json(empty_rich)["elements"][0]


def test_past_a_limit_it_refuses_as_slack_sdk_does() -> None:
    too_long = SectionBlock(text="x" * 3001)
    with pytest.raises(SlackObjectFormationError) as theirs:
        too_long.to_dict()
    with pytest.raises(SlackObjectFormationError) as ours:
        as_json(View(type="modal", title="t", blocks=[too_long]))
    assert str(ours.value) == str(theirs.value)


def test_a_kept_cards_blocks_are_sent_as_they_were_kept() -> None:
    """Rendered blocks are Slack's JSON already: handed on, not walked and copied again."""
    kept = as_json(SectionBlock(text="*Jane Doe* · decision", block_id="head"))
    [sent] = as_json_list([Rendered(kept)])
    assert sent is kept
    assert as_json([Rendered(kept)]) == [kept]
