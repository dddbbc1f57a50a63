"""The offer modal and the offer part of the status card."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.clocks import squeeze
from bot.domain.declines import REASONS, Decline
from bot.domain.limits import MAX_NOTE, MAX_REASON
from bot.domain.stages import Stage
from bot.domain.zones import in_utc, local
from bot.slack.blocks.candidates import OPEN_OFFER as OPEN_OFFER
from bot.slack.blocks.candidates import card_button
from bot.slack.blocks.common import (
    clip,
    context,
    duration,
    esc,
    form_modal,
    localized,
    note_mention,
    section,
    typed,
    user,
    when,
)
from bot.slack.metadata import CandidateMetadata, DeclineMetadata, OfferMetadata
from bot.store.tables import Offer
from bot.usecases.candidates import CandidateCard
from bot.usecases.offers import OfferCard, stamp

EXTEND_OFFER = "offer_submit"
ACCEPTED = "offer_accepted"
DECLINED = "offer_declined"
OPEN_DECLINE_REASON = "offer_decline_why"  # the form asking why, again
DECLINE_REASON = "offer_decline_submit"  # that form
MORE_TIME = "offer_more_time"
REVISE_OFFER = "offer_revise"  # the revision form


def _window(card: CandidateCard, now: datetime, tz_name: str | None = None) -> tuple[datetime, str]:
    """The expiry a form opens with, and its hint: the role's window from now, or the
    candidate's own deadline when that comes first (the offer can't outlast it). A hint
    is plain text, which Slack shows as written: the time is in the reader's zone
    (`tz_name`, when Slack said it), else in UTC."""
    default = now + timedelta(hours=card.role.offer_hours)
    expiry = _by_their_deadline(card, default, now)
    if expiry < default:
        at = local(expiry, tz_name) if tz_name else in_utc(expiry)
        return expiry, f"Their own deadline, {at}: the offer can't run past it."
    return default, f"Default: {card.role.offer_hours} hours from now."


def _by_their_deadline(card: CandidateCard, expiry: datetime, now: datetime) -> datetime:
    """`expiry`, or the candidate's own deadline when that is ahead and comes first."""
    by = card.candidate.deadline_at
    return by if by is not None and now < by < expiry else expiry


def offer_modal(card: CandidateCard, *, now: datetime, tz_name: str | None = None) -> View:
    default_expiry, hint = _window(card, now, tz_name)
    return form_modal(
        EXTEND_OFFER,
        "Extend an offer",
        "Extend offer",
        metadata=CandidateMetadata(card.candidate.id or 0).encode(),
        blocks=[
            section(
                f"*{esc(card.candidate.name)}* · {esc(card.role.title)} · now in "
                f"{card.candidate.stage}"
                + (
                    ""
                    if card.stage == Stage.OFFER
                    else "\nExtending it moves them to *offer* and starts its window."
                )
            ),
            _terms_input(),
            _expires_input(default_expiry, hint),
        ],
    )


def revise_modal(card: CandidateCard, offer: Offer, *, now: datetime) -> View:
    """The offer form again, filled in with the offer as it stands: the candidate
    negotiated, or needs longer. An offer already expired opens with the role's window
    from now."""
    expiry = offer.expires_at if offer.expires_at > now else _window(card, now)[0]
    expiry = _by_their_deadline(card, expiry, now)  # it can't run past it
    return form_modal(
        REVISE_OFFER,
        "Revise the offer",
        "Save revision",
        metadata=OfferMetadata(offer.id or 0, stamp(offer)).encode(),
        blocks=[
            section(
                f"*{esc(card.candidate.name)}* · {esc(card.role.title)} · offer extended "
                f"{when(offer.extended_at)} by {user(offer.extended_by)}"
            ),
            _terms_input(offer.terms),
            _expires_input(
                expiry, "The clock follows the new time: the 24 h and 4 h warnings come again."
            ),
            context(
                "The candidate's history records who revised it, when, and what changed "
                "(not the summary itself)."
            ),
        ],
    )


def decline_modal(card: CandidateCard, offer: Offer, *, origin: str = "") -> View:
    """Why they declined: opened as Declined is recorded (the answer is in already, so
    Skip loses nothing), or later from its button under the card. Opened on a decline
    with its reason given, it is filled in with it, to correct."""
    reason = offer.decline_reason if offer.decline_reason in REASONS else None
    return form_modal(
        DECLINE_REASON,
        "Why they declined",
        "Save",
        close="Skip",
        metadata=DeclineMetadata(offer.id or 0, origin).encode(),
        blocks=[
            section(
                f"*{esc(card.candidate.name)}* declined the offer for *{esc(card.role.title)}* "
                f"and is withdrawn. Why they did is counted in the role's hiring numbers."
            ),
            InputBlock(
                block_id="reason",
                label="Why did they decline?",
                element=StaticSelectElement(
                    action_id="value",
                    placeholder="Pick the closest reason",
                    options=[_reason(key) for key in REASONS],
                    initial_option=_reason(reason) if reason else None,
                ),
            ),
            InputBlock(
                block_id="details",
                label="In their words",
                optional=True,
                hint="Kept with the offer and in their history, for the hiring team.",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=MAX_REASON,
                    initial_value=offer.decline_details or None,
                ),
            ),
        ],
    )


def _reason(key: str) -> Option:
    return Option(value=key, text=REASONS[key])


def decline_reason_button(offer: Offer) -> ActionsBlock:
    """Under the card of a candidate who just declined: the form asking why, again (it
    opens by itself once; Skip, or a form that could not open, leaves this)."""
    return ActionsBlock(
        block_id=f"decline_why_{offer.id}",
        elements=[
            ButtonElement(
                text="Say why they declined…", action_id=OPEN_DECLINE_REASON, value=str(offer.id)
            )
        ],
    )


def decline_reason_post(
    card: CandidateCard, decline: Decline, actor_id: str
) -> tuple[str, list[Block]]:
    """The role's channel, which heard of the decline, hears why."""
    name, title = card.candidate.name, card.role.title
    text = f"Why {name} declined the offer for {title}: {REASONS[decline.reason]}."
    line = (
        f":speech_balloon: Why *{esc(name)}* declined the offer for *{esc(title)}*:\n"
        f"> {typed(clip(decline.said, 600))}"
    )
    return esc(text), [section(line), context(f"Recorded by {user(actor_id)}.")]


def no_offer_blocks(card: CandidateCard) -> list[Block]:
    """The card of someone in `offer` with no offer recorded (moved there, or imported in
    that stage): the button that records it and starts its clock."""
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text="*Offer*\nNone recorded yet: extend it here so its window and warnings run."
            ),
            accessory=ButtonElement(
                text="Extend offer…", action_id=OPEN_OFFER, value=str(card.candidate.id)
            ),
        )
    ]


def expires_words(
    offer: Offer, candidate_deadline: datetime | None, *, at: Callable[[datetime], str] = when
) -> str:
    """When the offer expires as the candidate sees it: at their own deadline if that
    comes first. `at` writes the time (in_utc in a note: note_markup localizes it)."""
    expires = squeeze(offer.expires_at, candidate_deadline)
    # Also when the offer was set to end there (a 24 h extension stopped at it): the time
    # alone reads as a plain extension, an hour short of what was asked.
    return at(expires) + (", their own deadline" if expires == candidate_deadline else "")


def more_time_note(done: OfferCard, clicker: str = "") -> str:
    """To whoever clicked Extend 24h (`clicker`), what it did: a note (note_markup)."""
    name = done.card.candidate.name
    if not done.changed:
        expires = expires_words(done.offer, done.card.candidate.deadline_at, at=in_utc)
        # A double click, or a teammate first: who did it, so "changed nothing" does not
        # read as the extension having failed.
        latest = next(
            (
                e
                for e in sorted(done.card.events, key=lambda e: (e.at, e.id or 0), reverse=True)
                if e.from_stage == e.to_stage == "offer" and (e.detail or "").startswith("offer")
            ),
            None,
        )
        if (
            latest is not None
            and latest.actor_id == clicker
            and "extended" in (latest.detail or "")
        ):
            # Their own double click: the card keeps saying what the first click did.
            return (
                f":hourglass_flowing_sand: {name}'s offer now expires {expires} (extended "
                "once: the second click added nothing)."
            )
        who = "you" if latest and latest.actor_id == clicker else None
        by = f" by {who or note_mention(latest.actor_id)} ({in_utc(latest.at)})" if latest else ""
        what = (
            "given more time"
            if latest is None or "extended" in (latest.detail or "")
            else "revised"
        )
        return (
            f"{name}'s offer was already {what}{by}: it expires {expires}. This click "
            "added nothing more."
        )
    expires = expires_words(done.offer, done.card.candidate.deadline_at, at=in_utc)
    return f":hourglass_flowing_sand: {name}'s offer now expires {expires}."


def revised_message(done: OfferCard, actor_id: str) -> tuple[str, list[Block]]:
    """To the rest of the hiring team: the offer they decided on changed (its terms are
    what the candidate now decides on), with the candidate's card."""
    card = done.card
    return offer_news(
        done,
        f"<@{actor_id}> revised {esc(card.candidate.name)}'s offer "
        f"({esc(card.role.title)}): {localized(esc(done.revision))}.",
    )


def extended_message(done: OfferCard, actor_id: str) -> tuple[str, list[Block]]:
    """To the rest of the hiring team: an offer went out (so nobody sends a second)."""
    card = done.card
    return offer_news(
        done,
        f":envelope_with_arrow: <@{actor_id}> extended an offer to "
        f"{esc(card.candidate.name)} ({esc(card.role.title)}).",
    )


def more_time_message(done: OfferCard, actor_id: str) -> tuple[str, list[Block]]:
    """To the rest of the hiring team: the offer was given more time (so nobody acting on
    an "offer expired" alert extends it again)."""
    card = done.card
    return offer_news(
        done,
        f":hourglass_flowing_sand: <@{actor_id}> gave {esc(card.candidate.name)}'s offer "
        f"more time ({esc(card.role.title)}).",
    )


def offer_news(done: OfferCard, text: str) -> tuple[str, list[Block]]:
    """A line of news about an offer (mrkdwn, escaped already), then its terms and expiry
    with the candidate's card."""
    card, offer = done.card, done.offer
    return text, [
        section(clip(text, 3000)),
        SectionBlock(
            text=MarkdownTextObject(
                text=clip(
                    f"> {esc(clip(offer.terms, 500))}\nExpires "
                    + expires_words(offer, card.candidate.deadline_at),
                    3000,
                )
            ),
            accessory=card_button(card.candidate.id, key=offer.id),
        ),
    ]


def _terms_input(initial: str | None = None) -> InputBlock:
    return InputBlock(
        block_id="terms",
        label="Offer summary",
        hint="Title, level, salary, start date: what the candidate is deciding on.",
        element=PlainTextInputElement(
            action_id="value", multiline=True, max_length=MAX_NOTE, initial_value=initial
        ),
    )


def _expires_input(initial: datetime, hint: str) -> InputBlock:
    return InputBlock(
        block_id="expires",
        label="Expires at",
        hint=hint,
        element=DateTimePickerElement(
            action_id="value", initial_date_time=int(initial.timestamp())
        ),
    )


def decided_post(
    card: CandidateCard,
    *,
    accepted: bool,
    actor_id: str,
    offer: bool = True,
    withdrew: str | None = None,
) -> tuple[str, list[Block]]:
    """The role's channel hears an offer's answer: the team's news (what the welcome there
    promises), with who recorded it. Not `offer`: hired with no offer recorded (one
    imported in offer, say). `withdrew`: moved to withdrawn while the offer was open,
    with the mover's reason: the offer counts as declined, but "declined" alone reads as
    an answer the candidate gave ("went quiet" is not one)."""
    name, title = card.candidate.name, card.role.title
    if withdrew is not None:
        why = f": {typed(clip(withdrew, 300))}" if withdrew else ""
        text = f"{name} withdrew while the offer for {title} was open."
        line = (
            f":heavy_minus_sign: *{esc(name)}* withdrew while the offer for *{esc(title)}* "
            f"was open{why}"
        )
        return esc(text), [
            section(line),
            context(f"Recorded by {user(actor_id)}; the offer counts as declined."),
        ]
    if accepted and not offer:
        text = f"{name} is hired for {title}."
        line = f":tada: *{esc(name)}* is hired for *{esc(title)}*."
    elif accepted:
        text = f"{name} accepted the offer for {title} and is hired."
        line = f":tada: *{esc(name)}* accepted the offer for *{esc(title)}* and is hired."
    else:
        text = f"{name} declined the offer for {title}."
        line = f":heavy_minus_sign: *{esc(name)}* declined the offer for *{esc(title)}*."
    return esc(text), [section(line), context(f"Recorded by {user(actor_id)}.")]


def offer_blocks(
    offer: Offer, *, now: datetime, can_act: bool, candidate_deadline: datetime | None = None
) -> list[Block]:
    """The offer, its state and its buttons. It expires at the candidate's own deadline
    when that comes first (the offer clock is squeezed to it, and its alerts say so)."""
    expires = squeeze(offer.expires_at, candidate_deadline)
    why = (
        f" (the candidate's deadline; the offer itself runs to {when(offer.expires_at)})"
        if expires < offer.expires_at
        else ""
    )
    if offer.status == "expired" or (offer.status == "open" and expires <= now):
        state = f":red_circle: *Offer expired* {when(expires)}{why}"
    elif offer.status == "open":
        state = (
            f":hourglass_flowing_sand: *Offer open*: expires {when(expires)} "
            f"({duration(expires - now)} left){why}"
        )
    else:
        state = f"*Offer {offer.status}* {when(offer.decided_at or offer.extended_at)}"
    text = (
        f"{state}\nOffered {when(offer.extended_at)} by {user(offer.extended_by)}\n"
        f"> {esc(clip(offer.terms, 500))}"
    )
    blocks: list[Block] = [section(clip(text, 3000))]
    if can_act and offer.status in ("open", "expired"):
        blocks.append(
            ActionsBlock(
                block_id=f"offer_{offer.id}",
                elements=[
                    ButtonElement(
                        text="Accepted",
                        action_id=ACCEPTED,
                        value=str(offer.id),
                        style="primary",
                        confirm=ConfirmObject(
                            title="Offer accepted?",
                            text="The candidate moves to hired.",
                            confirm="Accepted",
                            deny="Cancel",
                        ),
                    ),
                    ButtonElement(
                        text="Declined",
                        action_id=DECLINED,
                        value=str(offer.id),
                        style="danger",
                        confirm=ConfirmObject(
                            title="Offer declined?",
                            text="The candidate moves to withdrawn.",
                            confirm="Declined",
                            deny="Cancel",
                        ),
                    ),
                    ButtonElement(
                        text="Extend 24h",
                        action_id=MORE_TIME,
                        # The expiry it extends: a second click on the same button adds nothing.
                        value=f"{offer.id}:{offer.expires_at.isoformat()}",
                    ),
                    # The offer form again: for an offer awaiting its answer, the revision.
                    ButtonElement(
                        text="Revise…", action_id=OPEN_OFFER, value=str(offer.candidate_id)
                    ),
                ],
            )
        )
    return blocks


def seen_expiry(value: object) -> datetime | None:
    """The expiry an Extend 24h button was drawn with; None for a button without one."""
    if not isinstance(value, str) or ":" not in value:
        return None
    try:
        seen = datetime.fromisoformat(value.split(":", 1)[1])
    except ValueError:
        return None
    return seen if seen.tzinfo is not None else None
