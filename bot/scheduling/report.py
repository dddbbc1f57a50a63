"""What one sweep did: the lines `loopkeeper sweep` prints and the figures /metrics counts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    planned: int = 0
    skipped: int = 0
    # recipient, kind, "candidate #id": ids only, as the sweep's output goes to operators
    # who need not be on the hiring team.
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    postponed: int = 0
    retrying: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # recipient, kind, error
    locked_out: bool = False  # another replica was sweeping

    def lines(self) -> list[str]:
        if self.locked_out:
            return ["Another Loopkeeper process is sweeping; nothing to do here."]
        out = [f"sent {kind} about {name} to {who}" for who, kind, name in self.sent]
        out += [f"FAILED {kind} to {who}: {error}" for who, kind, error in self.failed]
        out.append(
            f"{len(self.sent)} sent, {self.postponed} held for working hours, "
            f"{self.retrying} to retry, {len(self.failed)} failed, {self.skipped} superseded."
        )
        return out
