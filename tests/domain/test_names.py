"""Forgiving name lookup: what a hiring manager types finds the candidate they mean."""

from __future__ import annotations

import pytest

from bot.domain.names import MAX_CHOICES, Named, clean_name, match_names, name_key


def ids(query: str, people: list[Named]) -> list[int]:
    return [m.id for m in match_names(query, people)]


# name_key ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Jane Doe", "jane doe"),
        ("JANE doe", "jane doe"),
        ("José Álvarez", "jose alvarez"),
        ("Zoë Brontë-Šimić", "zoe bronte simic"),
        ("  Jane \t  Doe\n", "jane doe"),
        ("Dr. Jane Doe, Jr.", "dr jane doe jr"),
        ("Jean-Luc Picard", "jean luc picard"),
        ("O'Brien", "o'brien"),
        ("Straße", "strasse"),
        ("", ""),
        (" .,- ", ""),
    ],
)
def test_name_key_ignores_accents_case_punctuation_and_spacing(typed: str, key: str) -> None:
    assert name_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("J\u0430ne D\u043ee", "jane doe"),  # Cyrillic a and o
        ("\u0410\u043d\u043d\u0430", "\u0430\u043d\u043d\u0430".replace("\u0430", "a")),
        ("Ja\u200bne\u200d Doe", "jane doe"),  # zero-width space and joiner
        ("\u202eJane Doe\u202c", "jane doe"),  # a right-to-left override and its end
        ("Arne", "arne"),  # not "ame": rn stays rn
    ],
)
def test_look_alike_letters_and_invisible_characters_read_as_what_they_show(
    typed: str, key: str
) -> None:
    assert name_key(typed) == key


def test_name_key_of_composed_and_decomposed_accents_is_the_same() -> None:
    assert name_key("Jos\u00e9") == name_key("Jose\u0301") == "jose"


def test_name_key_treats_typographic_apostrophes_alike() -> None:
    assert name_key("O\u2019Brien") == name_key("O'Brien")


def test_clean_name_keeps_case_and_accents_but_collapses_spaces() -> None:
    assert clean_name("  José   Álvarez \n") == "José Álvarez"


# match_names -------------------------------------------------------------------------

JANE = Named(1, "Jane Doe")
JANET = Named(2, "Janet Smith")
JOSE = Named(3, "José Álvarez")
JOHN = Named(4, "John Smith")
JANE_ROE = Named(5, "Jane Roe")
JANE_DOE_SMITH = Named(6, "Jane Doe Smith")
PEOPLE = [JANE, JANET, JOSE, JOHN]


def test_an_empty_query_finds_nothing() -> None:
    assert match_names("", PEOPLE) == []
    assert match_names(" ?! ", PEOPLE) == []


def test_exact_name_wins_alone() -> None:
    assert ids("jane doe", [JANE_DOE_SMITH, JANE]) == [1]


def test_exact_name_matches_whatever_the_case_and_spacing() -> None:
    assert ids("  JANE   doe ", PEOPLE) == [1]


def test_whole_word_beats_word_prefix() -> None:
    # "jane" is a word of Jane Doe and only the start of Janet.
    assert ids("jane", PEOPLE) == [1]


def test_word_prefix_finds_when_no_whole_word_does() -> None:
    assert ids("jan", [JANET, JOHN]) == [2]


def test_partial_names_find_by_word_starts() -> None:
    assert ids("jan do", PEOPLE) == [1]


def test_surname_alone_finds() -> None:
    assert ids("doe", PEOPLE) == [1]


def test_words_in_another_order_find() -> None:
    assert ids("doe jane", PEOPLE) == [1]


def test_accents_need_not_be_typed() -> None:
    assert ids("jose alvarez", PEOPLE) == [3]
    assert ids("alvarez", PEOPLE) == [3]


def test_accents_typed_find_the_plain_spelling_too() -> None:
    assert ids("Jáne Dóe", PEOPLE) == [1]


@pytest.mark.parametrize("typo", ["Jnae Doe", "Jane Deo", "Jane Dooe", "jose alvares"])
def test_small_typos_still_find(typo: str) -> None:
    found = match_names(typo, PEOPLE)
    assert found, typo
    assert found[0].id in {1, 3}
    assert len(found) == 1


@pytest.mark.parametrize("typo", ["jnae", "jaen", "jsoe", "alvraez"])
def test_two_letters_swapped_in_one_word_still_find(typo: str) -> None:
    """A slip of two keys, typed alone: the ratio counts it as two edits, under the cutoff
    for a short word, but it is the name nearly spelled right."""
    assert [m.id for m in match_names(typo, PEOPLE)][:1] in ([1], [3])


def test_a_letter_typed_as_another_is_not_a_swap() -> None:
    assert match_names("dane", [JANE]) == []  # may well be someone else


@pytest.mark.parametrize("query", ["Bob Marley", "xyz", "Priya Natarajan", "ja smith doe"])
def test_unrelated_names_find_nothing(query: str) -> None:
    assert match_names(query, [JANE, JOSE]) == []


def test_short_queries_do_not_fuzzy_match() -> None:
    assert match_names("jd", PEOPLE) == []


def test_an_ambiguous_name_offers_every_candidate() -> None:
    assert sorted(ids("jane", [JANE, JANE_ROE, JANET])) == [1, 5]


def test_ambiguous_matches_are_capped_at_max_choices() -> None:
    janes = [Named(i, f"Jane Person{i}") for i in range(MAX_CHOICES + 3)]
    assert len(match_names("jane", janes)) == MAX_CHOICES


def test_best_matches_come_first() -> None:
    found = match_names("jane doe", [JANE_DOE_SMITH, JANE])
    assert found[0].id == 1
    scores = [m.score for m in match_names("jan", [JANE, JANET, JANE_ROE])]
    assert scores == sorted(scores, reverse=True)


def test_open_candidates_rank_before_closed_ones_of_the_same_name() -> None:
    rejected_jane = Named(10, "Jane Doe", is_open=False)
    open_jane = Named(11, "Jane Doe", is_open=True)
    assert ids("jane doe", [rejected_jane, open_jane]) == [11, 10]


def test_a_closed_candidate_is_still_found() -> None:
    assert ids("jane doe", [Named(10, "Jane Doe", is_open=False)]) == [10]


def test_each_typed_word_must_start_a_different_word_of_the_name() -> None:
    assert ids("jane j", [JANE, Named(7, "Jane Jones")]) == [7]
