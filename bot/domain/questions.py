"""Questions people type to the bot ("@Loopkeeper where is Jane?"), read forgivingly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.domain.grammar import unescaped

# Words that carry the question, not the name: dropped before matching names.
FILLER = frozenset(
    [
        "where",
        "whereis",
        "wheres",
        "is",
        "isn't",
        "are",
        "was",
        "what",
        "whats",
        "what's",
        "how",
        "hows",
        "how's",
        "about",
        "with",
        "the",
        "a",
        "an",
        "of",
        "on",
        "for",
        "in",
        "at",
        "to",
        "me",
        "us",
        "please",
        "pls",
        "plz",
        "can",
        "could",
        "would",
        "you",
        "tell",
        "show",
        "give",
        "status",
        "update",
        "updates",
        "stage",
        "candidate",
        "candidates",
        "doing",
        "going",
        "hey",
        "hi",
        "hello",
        "loopkeeper",
        "and's",
        "s",
        "news",
        "latest",
        "any",
        "now",
        "currently",
        "right",
        "going",
        "on",
        "loop",
        "loops",
        "feedback",
        "scorecard",
        "scorecards",
        "offer",
        "interview",
        "interviews",
        "process",
        "hiring",
        # "is Chloe still in screening?", "where does Noah stand?", "has Elena said yes yet?"
        "still",
        "yet",
        "does",
        "do",
        "did",
        "has",
        "have",
        "stand",
        "stands",
        "standing",
        # "has Chloe moved?", "is Noah still waiting for a decision?"
        "moved",
        "waiting",
        "wait",
        "heard",
        "back",
        "sourced",
        "screening",
        "interviewing",
        "decision",
        "hired",
        "rejected",
        "withdrawn",
    ]
)
HELP = frozenset({"help", "commands", "?"})


@dataclass(frozen=True)
class Question:
    name: str  # the words left once the question words are gone; "" for help
    # It asks about the asker's own work ("when is my next interview?", "what scorecards
    # do I owe?"): if no candidate goes by what is left, `/hire feedback` is the answer.
    own_work: bool = False
    # "how many candidates are there?": a question of counts, which the pipeline answers.
    counts: bool = False


# Words of a question about one's own interviews, scorecards and grades.
OWN_WORK_WORDS = frozenset(
    {
        "my",
        "mine",
        "me",
        "owe",
        "interview",
        "interviews",
        "scorecard",
        "scorecards",
        "grade",
        "grades",
        "grading",
        "feedback",
        "kit",
        "kits",
    }
)


def read(text: str) -> Question:
    """The name in a question, with mentions, punctuation and question words removed."""
    text = re.sub(r"<[@#!][^>]*>", " ", text)  # mentions of users, channels, groups
    text = unescaped(text)  # "R&amp;D" is not the words "R", "amp", "D"
    words = re.findall(r"[\w'\u2019-]+", text)
    if not words or {w.lower() for w in words} <= HELP:
        return Question("")
    kept = []
    for word in words:
        bare = word.replace("\u2019", "'")
        bare = bare[:-2] if bare.lower().endswith("'s") else bare
        if bare.lower() not in FILLER and bare.strip("'-"):
            kept.append(bare)
    own = any(w.lower() in OWN_WORK_WORDS for w in words)
    lowered = [w.lower() for w in words]
    counts = ("how", "many") in pairwise(lowered)
    return Question(" ".join(kept), own_work=own, counts=counts)
