"""Every view and message the builders make stays inside Slack's Block Kit limits,
even with the longest names and the most roles a person can have."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from bot.domain.access import Team
from bot.domain.scorecards import templates
from bot.domain.stages import Stage
from bot.playground.standin import message_problems, view_problems
from bot.slack.blocks import candidates as cards
from bot.slack.blocks import interview_changes as interview_change_blocks
from bot.slack.blocks import roles as role_blocks
from bot.slack.blocks.common import duration, esc
from bot.slack.blocks.help import help_blocks
from bot.store.tables import Candidate, Role, StageEvent
from bot.usecases.candidates import Added, CalledOff, CandidateCard, Found, Moved, SamePerson

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LONG = "Ñ" * 150


def to_dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as the JSON Slack gets: the builders return slack-sdk objects."""
    return [b.to_dict() for b in blocks]


def role(i: int = 1, title: str = LONG) -> Role:
    return Role(
        id=i,
        title=title,
        title_key=title.lower(),
        hiring_manager_id="UHM00001",
        channel_id="GHIRING01",
        created_by="UADMIN01",
        created_at=NOW,
    )


def card(stage: Stage = Stage.INTERVIEWING, events: int = 5) -> CandidateCard:
    candidate = Candidate(
        id=7,
        role_id=1,
        name=LONG,
        name_key=LONG.lower(),
        email="a" * 64 + "@" + "b" * 180 + ".com",
        links="\n".join(f"https://example.com/{'x' * 150}/{i}" for i in range(12)),
        stage=stage.value,
        stage_entered_at=NOW - timedelta(days=3),
        created_by="UREC0001",
        created_at=NOW,
    )
    history = [
        StageEvent(
            id=i,
            candidate_id=7,
            at=NOW - timedelta(hours=i),
            actor_id="UREC0001",
            from_stage="screening",
            to_stage="interviewing",
            note="<!channel> " + "n" * 2990,
            detail="jumped from sourced to interviewing, skipping screening",
        )
        for i in range(events)
    ]
    recruiters = frozenset(f"UREC{i:04d}" for i in range(30))
    return CandidateCard(candidate, role(), Team("UHM00001", recruiters), history)


def test_modals_fit_slack_limits_at_their_largest() -> None:
    views = [
        role_blocks.create_role_modal(creator_id="UADMIN01", templates=templates()),
        cards.add_candidate_modal(roles=[role(i) for i in range(1, 150)], name=LONG * 2),
        cards.move_modal(card(), preselect=Stage.REJECTED),
    ]
    for view in views:
        data = view.to_dict()  # slack-sdk raises on any limit it knows
        assert view_problems(data) == [], data["callback_id"]


def test_add_modal_offers_at_most_100_roles() -> None:
    view = cards.add_candidate_modal(roles=[role(i) for i in range(1, 150)]).to_dict()
    select = next(b for b in view["blocks"] if b["block_id"] == "role")["element"]
    assert len(select["options"]) == 100
    assert "initial_option" not in select


def test_messages_fit_slack_limits_at_their_largest() -> None:
    found = card()
    # Leaving the process with many interviews still to come: the longest move note.
    off = CalledOff(1, LONG, NOW, [(f"U{n:08d}", None, None) for n in range(12)])
    moved = Moved(found, [off] * 12)
    added = Added(found, (SamePerson(LONG, LONG, "withdrawn", 1),) * 5)
    messages = [
        cards.status_message(found, now=NOW, can_move=True),
        cards.status_message(found, now=NOW, can_move=True, note=cards.moved_note(moved)),
        cards.status_message(found, now=NOW, can_move=True, note=cards.added_note(added)),
        cards.status_message(found, now=NOW, can_move=True, note=cards.stale_note(found)),
        cards.choices_message(
            LONG, Found([(found.candidate, found.role)] * 5, more=True), action=cards.OPEN_STATUS
        ),
        role_blocks.role_created_message(found.role, found.team.recruiter_ids, channel_problem="x"),
        role_blocks.role_channel_welcome(found.role, found.team.recruiter_ids),
        interview_change_blocks.called_off_message(found, off),
        interview_change_blocks.called_off_kit(found, off),
    ]
    for text, blocks in messages:
        assert text
        assert message_problems(to_dicts(blocks)) == []
    assert message_problems(to_dicts(help_blocks())) == []


def test_typed_text_cannot_ping_a_channel() -> None:
    _, blocks = cards.status_message(card(), now=NOW, can_move=False)
    rendered = str(to_dicts(blocks))
    assert "<!channel>" not in rendered
    assert esc("<!channel>") in rendered


def test_closed_candidates_have_no_move_buttons() -> None:
    for stage in (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN):
        _, blocks = cards.status_message(card(stage), now=NOW, can_move=True)
        assert not any(b["type"] == "actions" for b in to_dicts(blocks))


def test_offer_stage_offers_hiring_and_no_advance_past_hired() -> None:
    _, blocks = cards.status_message(card(Stage.OFFER), now=NOW, can_move=True)
    labels = [
        e["text"]["text"] for b in to_dicts(blocks) if b["type"] == "actions" for e in b["elements"]
    ]
    # No interviews once offered.
    assert labels == [
        "Advance to hired",
        "Set candidate deadline",
        "Add note…",
        "Move…",
        "Edit",
        "Reject",
    ]


def test_open_candidates_before_an_offer_can_get_interviews() -> None:
    for stage in (Stage.SOURCED, Stage.SCREENING, Stage.INTERVIEWING, Stage.DECISION):
        _, blocks = cards.status_message(card(stage), now=NOW, can_move=True)
        labels = [
            e["text"]["text"]
            for b in to_dicts(blocks)
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        assert "Schedule interview" in labels


def test_durations_read_like_a_person_would_say_them() -> None:
    assert duration(timedelta(seconds=20)) == "less than a minute"
    assert duration(timedelta(minutes=1)) == "1 minute"
    assert duration(timedelta(hours=5, minutes=10)) == "5 hours 10 minutes"
    assert duration(timedelta(days=2, hours=3, minutes=59)) == "2 days 3 hours"
    assert duration(timedelta(days=1, minutes=5)) == "1 day 5 minutes"


def test_help_fits_slack_however_many_commands_it_lists(monkeypatch) -> None:
    """Each section's text is at most 3,000 characters: the list of commands grows."""
    from bot.slack.blocks import help as help_module

    monkeypatch.setattr(help_module, "COMMANDS", help_module.COMMANDS * 3)
    blocks = to_dicts(help_blocks())
    assert message_problems(blocks) == []
    shown = "\n\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert shown.count("`/hire status <name>, or /hire <name>`") == 3
    assert sum(b["type"] == "section" for b in blocks) >= 3


def test_a_long_list_of_links_shows_whole_links_and_counts_the_rest() -> None:
    """Each link is Slack markup twice its length: cut at the limit, the last would be
    left open and show as broken text."""
    found = card()
    [contact] = [
        b
        for b in to_dicts(cards.status_blocks(found, now=NOW, can_move=True))
        if b["type"] == "context" and "example.com" in str(b)
    ]
    text = contact["elements"][0]["text"]
    assert len(text) <= 2000 and text.count("<https://") == text.count(">")
    shown = text.count("<https://")
    assert 0 < shown < 12 and text.endswith(f"and {12 - shown} more on the edit form")
