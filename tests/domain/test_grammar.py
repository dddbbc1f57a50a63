"""The `/hire` grammar: what a person typed, turned into a request."""

from __future__ import annotations

import pytest

from bot.domain.grammar import Command, CommandError, MoveRequest, parse, parse_move
from bot.domain.stages import Stage


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_asks_for_help(text: str) -> None:
    assert parse(text) == Command("help", "")


@pytest.mark.parametrize("sub", ["help", "status", "add", "move", "role"])
def test_known_subcommands_split_off_the_rest(sub: str) -> None:
    assert parse(f"{sub}   Jane Doe  ") == Command(sub, "Jane Doe")


def test_subcommands_ignore_case() -> None:
    assert parse("MOVE Jane Doe") == Command("move", "Jane Doe")


def test_a_subcommand_alone_has_no_rest() -> None:
    assert parse("add") == Command("add", "")


def test_an_unknown_first_word_means_status_of_the_whole_text() -> None:
    assert parse("  Jane Doe ") == Command("status", "Jane Doe")
    assert parse("where is Jane?") == Command("status", "where is Jane?")


def test_move_with_stage_and_reason() -> None:
    command = parse("move Jane Doe to rejected: took another offer")
    assert command == Command("move", "Jane Doe to rejected: took another offer")
    assert parse_move(command.rest) == MoveRequest("Jane Doe", Stage.REJECTED, "took another offer")


def test_move_with_stage_and_no_reason() -> None:
    assert parse_move("Jane Doe to screening") == MoveRequest("Jane Doe", Stage.SCREENING, "")


def test_move_with_a_stage_alias() -> None:
    assert parse_move("José Álvarez to hire") == MoveRequest("José Álvarez", Stage.HIRED, "")


def test_move_stage_ignores_case() -> None:
    assert parse_move("Jane Doe to Offer").stage == Stage.OFFER


def test_move_reason_may_itself_say_to() -> None:
    assert parse_move("Jane Doe to withdrawn: moved to Berlin") == MoveRequest(
        "Jane Doe", Stage.WITHDRAWN, "moved to Berlin"
    )


def test_move_reason_may_span_lines() -> None:
    request = parse_move("Jane Doe to rejected: not now\nmaybe next year")
    assert request.reason == "not now\nmaybe next year"


def test_a_name_containing_to_is_kept_whole() -> None:
    assert parse_move("Otto Toth to screening") == MoveRequest("Otto Toth", Stage.SCREENING, "")


def test_move_without_a_stage_leaves_the_stage_to_pick() -> None:
    assert parse_move("Jane Doe") == MoveRequest("Jane Doe", None, "")


def test_an_unknown_stage_lists_the_stages_and_an_example() -> None:
    with pytest.raises(CommandError) as error:
        parse_move("Jane Doe to nowhere")
    message = str(error.value)
    assert "nowhere" in message
    assert (
        "sourced, screening, interviewing, decision, offer, hired, rejected, withdrawn" in message
    )
    assert "/hire move Jane Doe to rejected: took another offer" in message


def test_an_empty_move_says_what_to_type() -> None:
    with pytest.raises(CommandError, match="/hire move Jane Doe"):
        parse_move("")
