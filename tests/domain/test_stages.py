"""The stage machine: which moves are legal and what each move says about itself."""

from __future__ import annotations

import pytest

from bot.domain.stages import (
    CLOSED,
    OPEN_STAGES,
    PATH,
    IllegalMove,
    Move,
    Stage,
    next_stage,
    parse_stage,
    plan_move,
    targets,
)

FORWARD_MOVES = [
    (here, there)
    for i, here in enumerate(PATH)
    for there in PATH[i + 1 :]
    if not here.is_closed and (there != Stage.HIRED or here == Stage.OFFER)
]
BACKWARD_MOVES = [
    (here, there) for i, here in enumerate(PATH) for there in PATH[:i] if not here.is_closed
]


def test_open_and_closed_stages_split_the_machine() -> None:
    assert OPEN_STAGES == (
        Stage.SOURCED,
        Stage.SCREENING,
        Stage.INTERVIEWING,
        Stage.DECISION,
        Stage.OFFER,
    )
    assert {Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN} == CLOSED
    assert all(s.is_closed for s in CLOSED)
    assert not any(s.is_closed for s in OPEN_STAGES)


@pytest.mark.parametrize(("here", "there"), FORWARD_MOVES, ids=lambda s: s.value)
def test_every_forward_move_is_legal(here: Stage, there: Stage) -> None:
    move = plan_move(here, there)
    assert (move.from_stage, move.to_stage) == (here, there)
    assert not move.backwards


@pytest.mark.parametrize("here", OPEN_STAGES[:-1], ids=lambda s: s.value)
def test_one_step_forward_skips_nothing_and_says_nothing(here: Stage) -> None:
    there = next_stage(here)
    assert there is not None
    move = plan_move(here, there)
    assert move == Move(here, there)
    assert move.describe() == ""


def test_a_jump_names_every_skipped_stage() -> None:
    move = plan_move(Stage.SOURCED, Stage.DECISION)
    assert move.skipped == (Stage.SCREENING, Stage.INTERVIEWING)
    assert move.describe() == ("jumped from sourced to decision, skipping screening, interviewing")


def test_a_jump_of_one_stage_says_so() -> None:
    move = plan_move(Stage.SCREENING, Stage.DECISION)
    assert move.skipped == (Stage.INTERVIEWING,)
    assert "skipping interviewing" in move.describe()


@pytest.mark.parametrize(("here", "there"), BACKWARD_MOVES, ids=lambda s: s.value)
def test_every_backward_move_is_legal_and_says_so(here: Stage, there: Stage) -> None:
    move = plan_move(here, there)
    assert move.backwards
    assert move.skipped == ()
    assert move.describe() == f"moved back from {here.value} to {there.value}"


@pytest.mark.parametrize("exit_stage", [Stage.REJECTED, Stage.WITHDRAWN], ids=str)
@pytest.mark.parametrize("here", OPEN_STAGES, ids=str)
def test_any_open_stage_may_exit_with_a_reason(here: Stage, exit_stage: Stage) -> None:
    move = plan_move(here, exit_stage, reason="took another offer")
    assert move == Move(here, exit_stage)


@pytest.mark.parametrize("reason", ["", "   \n"])
@pytest.mark.parametrize("exit_stage", [Stage.REJECTED, Stage.WITHDRAWN], ids=str)
def test_an_exit_without_a_reason_is_refused(exit_stage: Stage, reason: str) -> None:
    with pytest.raises(IllegalMove, match=f"moving a candidate to {exit_stage.value} needs a"):
        plan_move(Stage.INTERVIEWING, exit_stage, reason=reason)


def test_a_missing_reason_is_told_apart_from_other_refusals() -> None:
    """Forms and commands point at the reason from the exception's fact, not its words."""
    with pytest.raises(IllegalMove) as missing:
        plan_move(Stage.INTERVIEWING, Stage.REJECTED, reason=" ")
    with pytest.raises(IllegalMove) as other:
        plan_move(Stage.HIRED, Stage.REJECTED, reason="")
    assert missing.value.needs_reason
    assert not other.value.needs_reason


def test_forward_moves_need_no_reason() -> None:
    assert plan_move(Stage.SOURCED, Stage.SCREENING, reason="") == Move(
        Stage.SOURCED, Stage.SCREENING
    )


@pytest.mark.parametrize("closed", sorted(CLOSED), ids=str)
@pytest.mark.parametrize("target", list(Stage), ids=str)
def test_closed_stages_are_final(closed: Stage, target: Stage) -> None:
    with pytest.raises(IllegalMove, match="which is final") as refused:
        plan_move(closed, target, reason="back in the running")
    assert "/hire add" in str(refused.value)


@pytest.mark.parametrize("here", OPEN_STAGES, ids=str)
def test_moving_to_the_current_stage_is_refused(here: Stage) -> None:
    with pytest.raises(IllegalMove, match=f"already in {here.value}"):
        plan_move(here, here)


@pytest.mark.parametrize("here", OPEN_STAGES[:-1], ids=str)
def test_hired_only_from_offer(here: Stage) -> None:
    with pytest.raises(IllegalMove, match="move them to offer first"):
        plan_move(here, Stage.HIRED)


def test_offer_to_hired_is_a_plain_step() -> None:
    move = plan_move(Stage.OFFER, Stage.HIRED)
    assert move == Move(Stage.OFFER, Stage.HIRED)
    assert move.describe() == ""


@pytest.mark.parametrize(
    ("here", "expected"),
    [
        (
            Stage.SOURCED,
            ["screening", "interviewing", "decision", "offer", "rejected", "withdrawn"],
        ),
        (
            Stage.SCREENING,
            ["sourced", "interviewing", "decision", "offer", "rejected", "withdrawn"],
        ),
        (
            Stage.INTERVIEWING,
            ["sourced", "screening", "decision", "offer", "rejected", "withdrawn"],
        ),
        (
            Stage.DECISION,
            ["sourced", "screening", "interviewing", "offer", "rejected", "withdrawn"],
        ),
        (
            Stage.OFFER,
            [
                "sourced",
                "screening",
                "interviewing",
                "decision",
                "hired",
                "rejected",
                "withdrawn",
            ],
        ),
        (Stage.HIRED, []),
        (Stage.REJECTED, []),
        (Stage.WITHDRAWN, []),
    ],
    ids=lambda v: v.value if isinstance(v, Stage) else "",
)
def test_targets_lists_every_legal_move_in_display_order(here: Stage, expected: list[str]) -> None:
    assert [s.value for s in targets(here)] == expected


@pytest.mark.parametrize("here", list(Stage), ids=str)
def test_every_target_can_be_planned(here: Stage) -> None:
    for there in targets(here):
        plan_move(here, there, reason="a reason")


@pytest.mark.parametrize(
    ("here", "expected"),
    [
        (Stage.SOURCED, Stage.SCREENING),
        (Stage.DECISION, Stage.OFFER),
        (Stage.OFFER, Stage.HIRED),
        (Stage.HIRED, None),
        (Stage.REJECTED, None),
    ],
    ids=str,
)
def test_next_stage_follows_the_path(here: Stage, expected: Stage | None) -> None:
    assert next_stage(here) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("screening", Stage.SCREENING),
        ("  Interviewing ", Stage.INTERVIEWING),
        ("OFFER", Stage.OFFER),
        ("reject", Stage.REJECTED),
        ("Rejected", Stage.REJECTED),
        ("withdraw", Stage.WITHDRAWN),
        ("withdrawn", Stage.WITHDRAWN),
        ("hire", Stage.HIRED),
        ("hired", Stage.HIRED),
        ("interview", None),
        ("", None),
        ("sourced screening", None),
    ],
)
def test_parse_stage_knows_names_and_aliases(typed: str, expected: Stage | None) -> None:
    assert parse_stage(typed) == expected


def test_labels_are_capitalised() -> None:
    assert Stage.INTERVIEWING.label == "Interviewing"
