"""A modal's private_metadata: what a form carries from the click that opened it to its
submission. One codec, so every builder writes and every listener reads the same shapes.

Slack hands the string back as it was sent, but anyone with a signed request can submit
any string, so decoding trusts nothing: what is not what we wrote raises `OutOfDate`,
which the submission listeners answer with "This form is out of date" on the form.

The encoded form is a small JSON object ({"candidate": 7}, {"interview": 3, "base": 1},
...): forms already open in Slack when a new release starts must still submit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from bot.domain.numbers import record_id, small_int
from bot.domain.stages import Stage

MAX_VERSION = 10_000  # more scorecard versions than anyone writes; bounds a forged number


class OutOfDate(ValueError):
    """The metadata is not one we wrote: a form of an older release, or a forged one."""


def _object(raw: object) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise OutOfDate("the form carries no metadata")
    try:
        data = json.loads(raw or "{}")
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested past the limit
        raise OutOfDate("unreadable metadata") from None
    if not isinstance(data, dict):
        raise OutOfDate("the form's metadata is not an object")
    return data


def with_typed_in(metadata: str | None, url: str) -> str | None:
    """A form's metadata with the response_url of the command that opened it added
    (`typed_in`): its confirmation then shows where the command was typed (a channel,
    say), not only in the app's DM, where nobody was looking. Only a metadata object of
    ours takes it; an empty one stays empty, as its form reads it."""
    if not url or not metadata:
        return metadata
    try:
        data = _object(metadata)
    except OutOfDate:
        return metadata
    return json.dumps({**data, "typed_in": url})


def typed_in(metadata: object) -> str:
    """The response_url with_typed_in kept, or ""."""
    try:
        url = _object(metadata or "{}").get("typed_in")
    except OutOfDate:
        return ""
    return url if isinstance(url, str) else ""


def _record(data: Mapping[str, Any], key: str) -> int:
    value = record_id(data.get(key))
    if value is None:
        raise OutOfDate(f"no {key} in the form's metadata")
    return value


class _Metadata:
    """encode() for the builder; decode() and from_view() for the listener."""

    def _fields(self) -> dict[str, object]:
        raise NotImplementedError

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        raise NotImplementedError

    def encode(self) -> str:
        return json.dumps(self._fields())

    @classmethod
    def decode(cls, raw: object) -> Self:
        """What encode() wrote; OutOfDate for anything else."""
        return cls._read(_object(raw))

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> Self:
        return cls.decode(view.get("private_metadata"))


@dataclass(frozen=True)
class CandidateMetadata(_Metadata):
    """A form about one candidate: deadline, offer, take-home, interview. `request` is a
    one-time key, for forms where Slack delivering a double click twice must not do the
    thing twice (scheduling); empty, it is left out. `confirmed`: the key of the form
    (NewInterview.key) whose warnings the scheduler was shown, to book it anyway."""

    candidate_id: int
    request: str = ""
    confirmed: str = ""
    # What the form was opened on (deadlines.stamp): a save from a form someone else's
    # change has made stale is refused instead of undoing that change.
    seen: str = ""

    def _fields(self) -> dict[str, object]:
        return {
            "candidate": self.candidate_id,
            **({"request": self.request} if self.request else {}),
            **({"confirmed": self.confirmed} if self.confirmed else {}),
            **({"seen": self.seen} if self.seen else {}),
        }

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        request, confirmed, seen = data.get("request"), data.get("confirmed"), data.get("seen")
        return cls(
            _record(data, "candidate"),
            request if isinstance(request, str) else "",
            confirmed if isinstance(confirmed, str) else "",
            seen if isinstance(seen, str) else "",
        )


@dataclass(frozen=True)
class MoveMetadata(_Metadata):
    """The move form: the candidate, and the stage the mover saw them in (a move someone
    else made meanwhile is then refused, not undone)."""

    candidate_id: int
    seen_stage: Stage
    # The response_url of the card the form was opened from (its Reject or Move…
    # button): redrawn once the move is made, or it goes on showing the old stage.
    origin: str = ""

    def _fields(self) -> dict[str, object]:
        return {
            "candidate": self.candidate_id,
            "stage": self.seen_stage.value,
            **({"origin": self.origin} if self.origin else {}),
        }

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        candidate_id = _record(data, "candidate")
        try:
            stage = Stage(data.get("stage", ""))
        except ValueError:  # missing, or not one of ours
            raise OutOfDate("no stage in the form's metadata") from None
        origin = data.get("origin")
        return cls(candidate_id, stage, origin if isinstance(origin, str) else "")


@dataclass(frozen=True)
class ScorecardMetadata(_Metadata):
    """The scorecard form: the interview, and the version it edits (0: a first scorecard),
    so an edit made in another window meanwhile is not silently overwritten."""

    interview_id: int
    base_version: int
    # When the form was opened (seconds since the epoch; 0: a form of an older release).
    # A first scorecard opened while scorecards were open is taken even if the team moved
    # the candidate on meanwhile: the interview was held, and the words were written.
    opened: int = 0

    def _fields(self) -> dict[str, object]:
        fields: dict[str, object] = {"interview": self.interview_id, "base": self.base_version}
        if self.opened:
            fields["opened"] = self.opened
        return fields

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        interview_id = _record(data, "interview")
        base = small_int(data.get("base"), high=MAX_VERSION)
        if base is None:
            raise OutOfDate("no base version in the form's metadata")
        opened = small_int(data.get("opened"), high=2**40) or 0
        return cls(interview_id, base, opened)

    @property
    def opened_at(self) -> datetime | None:
        return datetime.fromtimestamp(self.opened, UTC) if self.opened else None


@dataclass(frozen=True)
class TakehomeMetadata(_Metadata):
    """The take-home forms past sending: received, and grade. `base`: the version of the
    grader's grade the grade form opened on, to edit it (0, or absent in forms of older
    releases: a first grade)."""

    takehome_id: int
    base_version: int = 0

    def _fields(self) -> dict[str, object]:
        fields: dict[str, object] = {"takehome": self.takehome_id}
        if self.base_version:
            fields["base"] = self.base_version
        return fields

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        base = small_int(data.get("base", 0), high=MAX_VERSION)
        if base is None:
            raise OutOfDate("the grade's version in the form's metadata is not one we wrote")
        return cls(_record(data, "takehome"), base)


@dataclass(frozen=True)
class InterviewMetadata(_Metadata):
    """A form changing an interview: the interview, and the version it was opened on, so
    a change someone made meanwhile is refused on the form, not overwritten.
    `confirmed`: the key of the form (bot.usecases.trials.form_key) whose warnings the
    person was shown, to make the change anyway."""

    interview_id: int
    version: int
    confirmed: str = ""

    def _fields(self) -> dict[str, object]:
        return {
            "interview": self.interview_id,
            "version": self.version,
            **({"confirmed": self.confirmed} if self.confirmed else {}),
        }

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        interview_id = _record(data, "interview")
        version = small_int(data.get("version"), low=1, high=MAX_VERSION)
        if version is None:
            raise OutOfDate("no interview version in the form's metadata")
        confirmed = data.get("confirmed")
        return cls(interview_id, version, confirmed if isinstance(confirmed, str) else "")


@dataclass(frozen=True)
class OfferMetadata(_Metadata):
    """The offer revision form: the offer, and the stamp of the terms and expiry it was
    opened on (bot.usecases.offers.stamp), so a change made meanwhile (a teammate's
    revision, Extend 24h) is refused on the form, not overwritten."""

    offer_id: int
    seen: str

    def _fields(self) -> dict[str, object]:
        return {"offer": self.offer_id, "seen": self.seen}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        seen = data.get("seen")
        if not isinstance(seen, str) or not seen:
            raise OutOfDate("no offer stamp in the form's metadata")
        return cls(_record(data, "offer"), seen)


@dataclass(frozen=True)
class DeclineMetadata(_Metadata):
    """The form the Declined button opens: the offer, and the response_url of the card
    the button was on (redrawn once the answer is recorded: its buttons are spent)."""

    offer_id: int
    origin: str = ""

    def _fields(self) -> dict[str, object]:
        return {"offer": self.offer_id, **({"origin": self.origin} if self.origin else {})}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        origin = data.get("origin")
        return cls(_record(data, "offer"), origin if isinstance(origin, str) else "")


@dataclass(frozen=True)
class NoteMetadata(_Metadata):
    """The note edit form: the note, and the stamp of the text it was opened on
    (bot.usecases.notes.stamp), so an edit made meanwhile in another window is refused on
    the form, not overwritten."""

    note_id: int
    seen: str
    # The response_url of the `/hire notes` list it was opened from: redrawn once saved,
    # or it goes on showing the old text.
    origin: str = ""

    def _fields(self) -> dict[str, object]:
        fields: dict[str, object] = {"note": self.note_id, "seen": self.seen}
        if self.origin:
            fields["origin"] = self.origin
        return fields

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        seen = data.get("seen")
        if not isinstance(seen, str) or not seen:
            raise OutOfDate("no note stamp in the form's metadata")
        origin = data.get("origin")
        return cls(_record(data, "note"), seen, origin if isinstance(origin, str) else "")


@dataclass(frozen=True)
class TakehomeDueMetadata(_Metadata):
    """The take-home's due-time form: the take-home, and the due time the form showed,
    so a new one set meanwhile is refused on the form, not overwritten."""

    takehome_id: int
    seen_due: datetime

    def _fields(self) -> dict[str, object]:
        return {"takehome": self.takehome_id, "due": self.seen_due.isoformat()}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        raw = data.get("due")
        try:
            due = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            due = None
        if due is None or due.tzinfo is None:
            raise OutOfDate("no due time in the form's metadata")
        return cls(_record(data, "takehome"), due)


MAX_GRADERS_SEEN = 20  # more graders than a take-home has (6); bounds a forged list


@dataclass(frozen=True)
class TakehomeGradersMetadata(_Metadata):
    """The take-home's graders form: the take-home, and the graders the form showed, so
    a change made meanwhile is refused on the form, not overwritten."""

    takehome_id: int
    seen: tuple[str, ...]

    def _fields(self) -> dict[str, object]:
        return {"takehome": self.takehome_id, "graders": list(self.seen)}

    @classmethod
    def _read(cls, data: Mapping[str, Any]) -> Self:
        seen = data.get("graders")
        if (
            not isinstance(seen, list)
            or len(seen) > MAX_GRADERS_SEEN
            or not all(isinstance(g, str) and 0 < len(g) <= 32 for g in seen)
        ):
            raise OutOfDate("no graders in the form's metadata")
        return cls(_record(data, "takehome"), tuple(seen))
