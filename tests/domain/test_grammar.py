"""The `/hire` grammar: what a person typed, turned into a request."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.grammar import (
    Command,
    CommandError,
    DaysRequest,
    MoveRequest,
    parse,
    parse_days,
    parse_move,
    typed,
)
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


# /hire holidays add|remove ---------------------------------------------------------------------

CHRISTMAS = date(2026, 12, 25)


def test_holidays_is_a_subcommand() -> None:
    assert parse("holidays add 2026-12-25 Christmas Day") == Command(
        "holidays", "add 2026-12-25 Christmas Day"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-25 Christmas Day", DaysRequest(CHRISTMAS, CHRISTMAS, "Christmas Day")),
        ("2026-12-25", DaysRequest(CHRISTMAS, CHRISTMAS, "")),
        ("  2026-12-25   Christmas \n  Day ", DaysRequest(CHRISTMAS, CHRISTMAS, "Christmas Day")),
        (
            "2026-12-24..2026-12-26 Winter break",
            DaysRequest(date(2026, 12, 24), date(2026, 12, 26), "Winter break"),
        ),
        ("2026-12-24 .. 2026-12-26", DaysRequest(date(2026, 12, 24), date(2026, 12, 26), "")),
        ("2026-12-25..2026-12-25", DaysRequest(CHRISTMAS, CHRISTMAS, "")),
    ],
)
def test_days_to_add_a_date_or_a_range_and_a_name(text: str, expected: DaysRequest) -> None:
    assert parse_days(text, verb="add") == expected


def test_a_range_holds_each_day_and_at_most_31() -> None:
    winter = parse_days("2026-12-24..2026-12-26", verb="add")
    assert winter.days == [date(2026, 12, 24), CHRISTMAS, date(2026, 12, 26)]
    assert len(parse_days("2026-12-01..2026-12-31", verb="add").days) == 31
    with pytest.raises(CommandError, match="That range is 32 days; one command takes at most 31"):
        parse_days("2026-12-01..2027-01-01", verb="add")


def test_a_remove_ignores_what_follows_the_date() -> None:
    assert parse_days("2026-12-25 Christmas Day", verb="remove") == DaysRequest(
        CHRISTMAS, CHRISTMAS, ""
    )


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01"])
def test_a_date_the_calendar_lacks_is_said_so_not_misread(text: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_days(f"{text} Christmas Day", verb="add")
    said = str(refused.value)
    assert said.startswith(f"There is no day {text} in the calendar: check its month and day.")
    assert "`/hire holidays add 2026-12-25 Christmas Day`" in said


@pytest.mark.parametrize(
    "text",
    [
        "12/25/2026",
        "25.12.2026",
        "Christmas",
        "2026-12-24..",
        "\u0662\u0660\u0662\u0666-12-25",  # Arabic-Indic digits: decimal, not ASCII
    ],
)
def test_a_malformed_date_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_days(f"{text} Christmas Day", verb="add")
    assert "as a date: write it year-month-day" in str(refused.value)
    assert "`/hire holidays add 2026-12-25 Christmas Day`" in str(refused.value)


def test_an_empty_or_backwards_range_or_a_long_name_is_refused() -> None:
    with pytest.raises(CommandError, match="Which day"):
        parse_days("  ", verb="remove")
    with pytest.raises(CommandError, match="ends before it starts"):
        parse_days("2026-12-26..2026-12-24", verb="add")
    with pytest.raises(CommandError, match="at most 80 characters; that one has 81"):
        parse_days("2026-12-25 " + "x" * 81, verb="add")


def test_days_away_take_dates_alone_and_their_examples_say_away() -> None:
    assert parse_days("2026-12-24..2027-01-02", verb="add", command="away") == DaysRequest(
        date(2026, 12, 24), date(2027, 1, 2), ""
    )
    # A day away has no name: trailing words are a range mistyped, for add and remove.
    for verb in ("add", "remove"):
        with pytest.raises(CommandError) as refused:
            parse_days("2026-12-24 to 2026-12-26", verb=verb, command="away")
        assert "I can't read “to 2026-12-26” as a date" in str(refused.value)
        assert f"`/hire away {verb} 2026-12-24..2026-12-26`" in str(refused.value)
        assert "holidays" not in str(refused.value) and "Christmas" not in str(refused.value)
    with pytest.raises(CommandError, match=r"Example: `/hire away add 2026-12-01\.\.2026-12-31`"):
        parse_days("2026-12-01..2027-01-01", verb="add", command="away")


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("admin add <@U012AB3CD|jane>", "admin add <@U012AB3CD>"),
        ("admin add <@W012AB3CD>", "admin add <@W012AB3CD>"),
        ("pipeline R&amp;D Platform", "pipeline R&D Platform"),
        ("status Jane &lt;JD&gt; Doe", "status Jane <JD> Doe"),
        ("status &amp;lt;", "status &lt;"),  # what typing "&lt;" sends
        (
            "export-person <mailto:jane@example.com|jane@example.com>",
            "export-person jane@example.com",
        ),
        ("status <https://example.com/jane|example.com/jane>", "status example.com/jane"),
        ("status <https://example.com/jane>", "status https://example.com/jane"),
        ("pipeline <#C012AB3CD|mlops-hiring>", "pipeline #mlops-hiring"),
        ("status <!here>", "status @here"),
        ("status Jane Doe", "status Jane Doe"),
    ],
)
def test_a_commands_text_is_read_as_the_person_typed_it(sent: str, meant: str) -> None:
    assert typed(sent) == meant
