"""A modal's private_metadata: what the builders write, the listeners read back, and
anything else (an older release's form, a forged one) is OutOfDate, never a crash."""

from __future__ import annotations

import json

import pytest

from bot.domain.stages import Stage
from bot.slack.metadata import (
    CandidateMetadata,
    MoveMetadata,
    OutOfDate,
    ScorecardMetadata,
    TakehomeMetadata,
)

ALL = (CandidateMetadata, MoveMetadata, ScorecardMetadata, TakehomeMetadata)


def test_each_kind_reads_back_what_it_wrote() -> None:
    written = [
        CandidateMetadata(7),
        CandidateMetadata(7, request="0f" * 16),
        MoveMetadata(7, Stage.SCREENING),
        ScorecardMetadata(3, 0),
        ScorecardMetadata(3, 2),
        TakehomeMetadata(9),
    ]
    for metadata in written:
        assert type(metadata).decode(metadata.encode()) == metadata
        view = {"private_metadata": metadata.encode()}
        assert type(metadata).from_view(view) == metadata


def test_the_encoded_form_is_the_one_open_modals_carry() -> None:
    # Forms open in Slack across a release must still submit: the JSON stays as it was.
    assert json.loads(CandidateMetadata(7).encode()) == {"candidate": 7}
    assert json.loads(CandidateMetadata(7, request="k").encode()) == {
        "candidate": 7,
        "request": "k",
    }
    assert json.loads(MoveMetadata(7, Stage.OFFER).encode()) == {"candidate": 7, "stage": "offer"}
    assert json.loads(ScorecardMetadata(3, 1).encode()) == {"interview": 3, "base": 1}
    assert json.loads(TakehomeMetadata(9).encode()) == {"takehome": 9}


@pytest.mark.parametrize(
    "raw",
    [
        None,
        5,
        {"candidate": 1},
        "",
        "not json",
        "[]",
        "null",
        "[" * 3000,  # nested past Python's recursion limit
        '{"candidate": 1e999, "stage": "sourced", "interview": 1e999, "base": 0}',
        '{"candidate": -1, "stage": "sourced", "interview": 0, "base": 0, "takehome": true}',
        '{"candidate": "\u0661", "stage": "nowhere", "interview": "1", "base": "10001"}',
        '{"candidate": 2.0, "stage": ["sourced"], "interview": [1], "takehome": 2.0}',
    ],
)
def test_anything_else_is_out_of_date(raw: object) -> None:
    for kind in ALL:
        with pytest.raises(OutOfDate):
            kind.decode(raw)


def test_a_forged_request_key_is_dropped_not_trusted() -> None:
    assert CandidateMetadata.decode('{"candidate": "4", "request": 12}') == CandidateMetadata(4)
