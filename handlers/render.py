"""The status card as one person may see it: the candidate, and their loop."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot import access, feedback, offers
from bot.app import Deps
from bot.blocks import candidates as cards
from bot.blocks.common import as_dicts
from bot.blocks.interviews import loop_blocks
from bot.blocks.offers import offer_blocks
from bot.hiring import CandidateCard


async def status_card(
    deps: Deps, user_id: str, found: CandidateCard, *, note: str | None = None
) -> tuple[str, list[dict]]:
    now = deps.clock.now()
    candidate_id = found.candidate.id or 0
    loop = await feedback.loop_of(deps.db, viewer_id=user_id, candidate_id=candidate_id)
    extra: list[Block] = loop_blocks(loop, viewer_id=user_id, now=now) if loop else []
    offer = await offers.offer_of(deps.db, candidate_id=candidate_id)
    if offer is not None and access.can_see_candidates(user_id, found.team):
        can_act = access.can_move_candidates(user_id, found.team)
        extra = [*offer_blocks(offer, now=now, can_act=can_act), *extra]
    text, blocks = cards.status_message(
        found,
        now=now,
        can_move=access.can_move_candidates(user_id, found.team),
        extra=extra,
        note=note,
    )
    return text, as_dicts(blocks)
