"""Forgiving name lookup: case, accents, partial names and small typos."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

# Below this similarity (0 to 100) a name is not offered as a match at all.
FUZZY_CUTOFF = 80
PREFILTER_CUTOFF = 50
MAX_CHOICES = 5
# A best match scored under this is a guess at a typo ("Jnae Doe", "Sara Okafor" for Sam
# Okafor), not a name or the start of one as typed: what acts at once on a name asks
# first (bot.usecases.candidates.Found.guessed).
GUESS_BELOW = 90.0


# Slack's smart punctuation turns ' into U+2019 as people type: O'Brien is one name either way.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


# Cyrillic and Greek letters drawn like Latin ones (after casefold): a "Jane" typed with
# a Cyrillic a is the same person on screen, so it must be the same name to the
# duplicate check. A short table on purpose: Unicode's full confusables skeleton (UTS #39)
# also folds "rn" into "m", which would make Arne and Ame one name.
_LOOKALIKES = str.maketrans(
    {
        unicodedata.lookup(f"{script} SMALL LETTER {letter}"): latin
        for script, letter, latin in [
            ("CYRILLIC", "A", "a"),
            ("CYRILLIC", "IE", "e"),
            ("CYRILLIC", "O", "o"),
            ("CYRILLIC", "ER", "p"),
            ("CYRILLIC", "ES", "c"),
            ("CYRILLIC", "U", "y"),
            ("CYRILLIC", "HA", "x"),
            ("CYRILLIC", "BYELORUSSIAN-UKRAINIAN I", "i"),
            ("CYRILLIC", "JE", "j"),
            ("CYRILLIC", "DZE", "s"),
            ("CYRILLIC", "KOMI DE", "d"),
            ("CYRILLIC", "SHHA", "h"),
            ("CYRILLIC", "PALOCHKA", "l"),
            ("CYRILLIC", "QA", "q"),
            ("CYRILLIC", "WE", "w"),
            ("GREEK", "ALPHA", "a"),
            ("GREEK", "OMICRON", "o"),
            ("GREEK", "RHO", "p"),
            ("GREEK", "NU", "v"),
            ("GREEK", "IOTA", "i"),
            ("GREEK", "KAPPA", "k"),
            ("GREEK", "TAU", "t"),
            ("GREEK", "UPSILON", "u"),
            ("GREEK", "CHI", "x"),
        ]
    }
)


def _visible(text: str) -> str:
    """Without the characters that draw nothing: zero-width spaces and joiners, direction
    marks, soft hyphens (Unicode's format category, Cf)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def name_key(name: str) -> str:
    """Compare-form of a name: no accents, no case, one kind of apostrophe, single spaces,
    nothing invisible, and look-alike letters read as the Latin ones they look like."""
    decomposed = unicodedata.normalize("NFKD", _visible(name).translate(_APOSTROPHES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"[\w']+", plain.casefold().translate(_LOOKALIKES))
    return " ".join(w for w in (word.strip("'") for word in words) if w)


def erased_email_digest(email: str) -> str:
    """What an erasure at the person's request keeps of their email (any case): a one-way
    digest, enough to know them in a file imported later, not to read them back."""
    return _digest("email", email.strip().casefold())


def erased_name_digest(role_id: int, name: str) -> str:
    """The same of their name in a role, by its compare-form (name_key)."""
    return _digest(f"name:{role_id}", name_key(name))


def _digest(kind: str, plain: str) -> str:
    return hashlib.sha256(f"loopkeeper-erased:{kind}:{plain}".encode()).hexdigest()


def clean_name(name: str) -> str:
    """Display-form of a name as typed: trimmed, inner whitespace collapsed."""
    return " ".join(name.split())


class Named(NamedTuple):
    """A name to look among. A tuple, not a dataclass: a lookup builds one for every
    candidate the asker may see, thousands for a busy hiring manager."""

    id: int
    name: str
    is_open: bool = True
    key: str = ""  # name_key(name), when the store has it already

    @property
    def compare_key(self) -> str:
        return self.key or name_key(self.name)


@dataclass(frozen=True)
class Match:
    id: int
    score: float


def _distinct_match(
    query_words: list[str], words: list[str], fits: Callable[[str, str], bool]
) -> bool:
    """Can each typed word be matched to a different word of the name?

    A bipartite matching (Kuhn's augmenting paths): polynomial even for a hostile
    query of many one-letter words.
    """
    if len(query_words) > len(words):
        return False
    owner: dict[int, int] = {}  # name word index -> typed word index

    def place(q: int, seen: set[int]) -> bool:
        for w, word in enumerate(words):
            if w in seen or not fits(query_words[q], word):
                continue
            seen.add(w)
            if w not in owner or place(owner[w], seen):
                owner[w] = q
                return True
        return False

    return all(place(q, set()) for q in range(len(query_words)))


# Two neighbouring letters typed in the wrong order ("jsoe", "noha", "elean"): a slip of
# the fingers, scored as nearly spelled right. The ratio alone counts it as two edits,
# under the cutoff for a short word; a letter typed as another ("dane" for "jane") stays
# two edits, as that may well be another name.
SWAPPED = 90.0


def _word_likeness(typed: str, word: str) -> float:
    if len(typed) >= 3 and _one_swap(typed, word):
        return SWAPPED
    return fuzz.ratio(typed, word)


def _one_swap(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


def _score(query: str, query_words: list[str], key: str) -> float:
    if key == query:
        return 100.0
    words = key.split()
    # The matchings below are the careful test; most names fail this cheap one first
    # (a typed word that starts no word of the name), and it is run for every name.
    if all(any(w.startswith(q) for w in words) for q in query_words):
        if _distinct_match(query_words, words, str.__eq__):
            return 97.0
        # Every word typed starts a different word of the name: "jan do" finds "Jane Doe".
        if _distinct_match(query_words, words, lambda q, w: w.startswith(q)):
            return 95.0 if len(query_words) > 1 or len(query) >= 3 else 90.0
    if len(query) < 3:
        return 0.0
    return _as_guess(_typo_likeness(query, query_words, words, key))


def _typo_likeness(query: str, query_words: list[str], words: list[str], key: str) -> float:
    """Typos: the whole name, or its best-matching words, nearly spelled right."""
    whole = fuzz.ratio(query, key)
    by_word = 100.0
    for q in query_words:
        best = max(_word_likeness(q, w) for w in words)
        # This word is like no word of the name: by_word can't reach the cutoff, even
        # with an open candidate's half point, so the whole name's score is the answer.
        if best * 0.98 < FUZZY_CUTOFF - 1:
            return whole
        by_word = min(by_word, best)
    return max(whole, by_word * 0.98)


def _as_guess(likeness: float) -> float:
    """A typo's likeness (up to 100) as a score under GUESS_BELOW, an open candidate's
    half point included: a name spelled nearly right is a guess, however near, and ranks
    after every name that starts as typed. The order among guesses and the cutoff stay."""
    if likeness < FUZZY_CUTOFF:
        return likeness
    return FUZZY_CUTOFF + (likeness - FUZZY_CUTOFF) * (GUESS_BELOW - 1 - FUZZY_CUTOFF) / 20


def match_names(query: str, people: Sequence[Named], *, limit: int = MAX_CHOICES) -> list[Match]:
    """Best matches first; an exact name wins alone, otherwise up to `limit`. A name's
    `is_open` is the tie-breaker: those the asker more likely means come first."""
    key = name_key(query)
    if not key:
        return []
    query_words = key.split()
    # A fast first pass in rapidfuzz's C++: only names somewhat like the query get the
    # careful (Python) scoring below. Partial similarity keeps prefixes and typos in.
    keys = [p.compare_key for p in people]
    likely = process.extract(
        key, keys, scorer=fuzz.partial_ratio, score_cutoff=PREFILTER_CUTOFF, limit=None
    )
    scored = [
        Match(people[i].id, _score(key, query_words, keys[i]) + (0.5 if people[i].is_open else 0.0))
        for _, _, i in likely
    ]
    hits = sorted((m for m in scored if m.score >= FUZZY_CUTOFF), key=lambda m: -m.score)
    # Only the best kind of match counts: an exact name hides whole words, a
    # whole word ("jane") hides word starts ("janet"), which hide look-alikes.
    for floor in (100.0, 97.0, 90.0):
        tier = [m for m in hits if m.score >= floor]
        if tier:
            return tier[:limit]
    return hits[:limit]
