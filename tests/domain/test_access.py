"""Who may see and do what, by the hats a person wears on a role's team."""

from __future__ import annotations

from bot.domain.access import (
    Hat,
    Team,
    can_add_candidates,
    can_create_role,
    can_move_candidates,
    can_see_candidates,
    can_set_days_away,
    is_admin,
)

ADMIN = "UADMIN01"
HM = "UHM00001"
RECRUITER = "UREC0001"
RECRUITER_2 = "UREC0002"
BOTH = "UBOTH001"
OUTSIDER = "UOUT0001"
ADMINS = frozenset({ADMIN})

TEAM = Team(hiring_manager_id=HM, recruiter_ids=frozenset({RECRUITER, RECRUITER_2}))
# A hiring manager who also recruits for their own role.
SMALL_TEAM = Team(hiring_manager_id=BOTH, recruiter_ids=frozenset({BOTH}))


def test_admin_may_create_roles_but_wears_no_hat_on_a_team_they_are_not_on() -> None:
    assert is_admin(ADMIN, ADMINS)
    assert can_create_role(ADMIN, ADMINS)
    assert TEAM.hats(ADMIN) == set()
    assert not can_see_candidates(ADMIN, TEAM)
    assert not can_add_candidates(ADMIN, TEAM)
    assert not can_move_candidates(ADMIN, TEAM)


def test_admin_named_on_a_team_acts_by_that_hat() -> None:
    team = Team(hiring_manager_id=HM, recruiter_ids=frozenset({ADMIN}))
    assert team.hats(ADMIN) == {Hat.RECRUITER}
    assert can_move_candidates(ADMIN, team)


def test_recruiter_sees_adds_and_moves_but_cannot_create_roles() -> None:
    for recruiter in (RECRUITER, RECRUITER_2):
        assert TEAM.hats(recruiter) == {Hat.RECRUITER}
        assert can_see_candidates(recruiter, TEAM)
        assert can_add_candidates(recruiter, TEAM)
        assert can_move_candidates(recruiter, TEAM)
    assert not can_create_role(RECRUITER, ADMINS)


def test_hiring_manager_sees_adds_and_moves_but_cannot_create_roles() -> None:
    assert TEAM.hats(HM) == {Hat.HIRING_MANAGER}
    assert can_see_candidates(HM, TEAM)
    assert can_add_candidates(HM, TEAM)
    assert can_move_candidates(HM, TEAM)
    assert not can_create_role(HM, ADMINS)


def test_someone_with_two_hats_wears_both() -> None:
    assert SMALL_TEAM.hats(BOTH) == {Hat.HIRING_MANAGER, Hat.RECRUITER}
    assert can_see_candidates(BOTH, SMALL_TEAM)
    assert can_move_candidates(BOTH, SMALL_TEAM)


def test_outsider_may_do_nothing() -> None:
    assert TEAM.hats(OUTSIDER) == set()
    assert not is_admin(OUTSIDER, ADMINS)
    assert not can_create_role(OUTSIDER, ADMINS)
    assert not can_see_candidates(OUTSIDER, TEAM)
    assert not can_add_candidates(OUTSIDER, TEAM)
    assert not can_move_candidates(OUTSIDER, TEAM)


def test_a_hat_on_one_team_gives_nothing_on_another() -> None:
    assert not can_see_candidates(HM, SMALL_TEAM)
    assert not can_move_candidates(RECRUITER, SMALL_TEAM)


def test_user_ids_are_compared_exactly() -> None:
    assert not is_admin(ADMIN.lower(), ADMINS)
    assert TEAM.hats(HM.lower()) == set()
    assert not can_create_role(ADMIN, frozenset())


def test_days_away_are_set_by_the_person_a_hiring_team_or_an_admin() -> None:
    team = Team("UHM", frozenset({"UREC"}))
    for actor in ("UIVAN", "UHM", "UREC", "UADMIN"):
        assert can_set_days_away(actor, "UIVAN", admins={"UADMIN"}, teams=[team]), actor
    assert not can_set_days_away("UINES", "UIVAN", admins={"UADMIN"}, teams=[team])
    assert not can_set_days_away("UREC", "UIVAN", admins=set(), teams=[])  # on no team now


def test_the_recruiters_book_interviews_and_without_one_the_hiring_manager_does() -> None:
    assert TEAM.bookers == sorted([RECRUITER, RECRUITER_2])
    assert Team(hiring_manager_id=HM, recruiter_ids=frozenset()).bookers == [HM]
