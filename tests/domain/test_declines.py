"""Why an offer was declined: the form's check and the hiring numbers' count."""

from __future__ import annotations

from bot.domain.declines import (
    DETAILS_FOR_OTHER,
    PICK_ONE,
    Decline,
    checked_decline,
    reason_counts,
)


def test_a_listed_reason_is_enough_and_its_words_are_kept_trimmed() -> None:
    assert checked_decline("compensation", "") == (Decline("compensation", ""), {})
    assert checked_decline("role", "  Wanted staff level \n") == (
        Decline("role", "Wanted staff level"),
        {},
    )


def test_no_reason_an_unknown_one_or_another_reason_without_words_is_refused() -> None:
    assert checked_decline(None, "") == (None, {"reason": PICK_ONE})
    assert checked_decline("went_quiet", "never answered") == (None, {"reason": PICK_ONE})
    assert checked_decline("other", "   ") == (None, {"details": DETAILS_FOR_OTHER})
    assert checked_decline("other", "Moving abroad") == (Decline("other", "Moving abroad"), {})


def test_their_words_have_a_limit() -> None:
    assert checked_decline("timing", "x" * 500)[0] == Decline("timing", "x" * 500)
    assert checked_decline("timing", "x" * 501) == (
        None,
        {"details": "Keep the details to 500 characters at most."},
    )


def test_said_reads_as_the_reason_then_their_words() -> None:
    assert Decline("other_offer", "").said == "Took another offer"
    assert Decline("compensation", "Asked for 10% more").said == "Compensation: Asked for 10% more"


def test_reasons_are_counted_most_first_and_declines_without_one_are_left_out() -> None:
    reasons = ["timing", "compensation", None, "compensation", "other_offer", "timing", "timing"]
    assert reason_counts(reasons) == [
        ("Timing or personal reasons", 3),
        ("Compensation", 2),
        ("Took another offer", 1),
    ]
    # A tie keeps the form's order.
    assert reason_counts(["location", "compensation"]) == [
        ("Compensation", 1),
        ("Location or remote work", 1),
    ]
    assert reason_counts([None, None]) == []
