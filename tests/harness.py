"""Block Kit the harness tests (test_harness_*.py) send and check: a plain-dict modal, a
select of any size, and a view with one input of every kind."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ChannelSelectElement,
    CheckboxesElement,
    ConversationSelectElement,
    DatePickerElement,
    DateTimePickerElement,
    EmailInputElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View


def modal(title: str = "Schedule", blocks: int = 1) -> dict[str, Any]:
    """A plain-dict modal, sent unchecked by slack-sdk, so the stand-in must check it."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{**section, "block_id": f"b{i}"} for i in range(blocks)],
    }


def select(options: int, value_length: int = 1) -> dict[str, Any]:
    choices = [
        {"text": {"type": "plain_text", "text": f"o{i}"}, "value": f"{i}".zfill(value_length)}
        for i in range(options)
    ]
    group = {"label": {"type": "plain_text", "text": "g"}, "options": choices}
    element = {"type": "static_select", "action_id": "pick", "option_groups": [group]}
    return {"type": "actions", "block_id": "pick", "elements": [element]}


def every_input_view() -> dict[str, Any]:
    """One input block per element type, built with slack-sdk's models."""
    options = [Option(value="a", text="A"), Option(value="b", text="B")]
    elements = {
        "text": PlainTextInputElement(action_id="text"),
        "email": EmailInputElement(action_id="email"),
        "url": UrlInputElement(action_id="url"),
        "number": NumberInputElement(action_id="number", is_decimal_allowed=False),
        "select": StaticSelectElement(action_id="select", options=options),
        "radio": RadioButtonsElement(action_id="radio", options=options),
        "checks": CheckboxesElement(action_id="checks", options=options),
        "multi": StaticMultiSelectElement(action_id="multi", options=options),
        "user": UserSelectElement(action_id="user"),
        "users": UserMultiSelectElement(action_id="users"),
        "conversation": ConversationSelectElement(action_id="conversation"),
        "channel": ChannelSelectElement(action_id="channel"),
        "date": DatePickerElement(action_id="date"),
        "time": TimePickerElement(action_id="time"),
        "datetime": DateTimePickerElement(action_id="datetime"),
        "prefilled": PlainTextInputElement(action_id="prefilled", initial_value="kept"),
    }
    blocks = [
        InputBlock(block_id=name, label=name, element=element, optional=True)
        for name, element in elements.items()
    ]
    view = View(type="modal", title="Every input", submit="Save", blocks=blocks)
    return view.to_dict()
