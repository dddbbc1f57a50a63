"""Reading candidate CSV files as they come from spreadsheets and applicant-tracking
systems: pure functions, no database."""

from __future__ import annotations

import codecs
import time
from typing import Any

import pytest

from bot.domain.candidate_csv import (
    Existing,
    ImportFileError,
    RoleRef,
    classify,
    column_letter,
    decode,
    event_note,
    parse,
    sniff_delimiter,
)
from bot.domain.limits import MAX_NAME
from bot.domain.stages import Stage

MLOPS = RoleRef(1, "MLOps Engineer")
DATA = RoleRef(2, "Data Engineer")
ROLES = {"mlops engineer": MLOPS, "data engineer": DATA}


def read(text: str, *, default: RoleRef | None = None, encoding: str = "utf-8"):
    return parse(text.encode(encoding), roles=ROLES, default_role=default)


def preview(text: str, existing: Existing | None = None, **kwargs: Any):
    return classify(read(text, **kwargs), existing or Existing())


# Encodings and delimiters -------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_reads_the_first_heading_right() -> None:
    data = codecs.BOM_UTF8 + "Name,Email\nJosé Núñez,jose@example.com\n".encode()
    parsed = parse(data, roles=ROLES, default_role=MLOPS)
    assert [r.name for r in parsed.rows] == ["José Núñez"]
    assert parsed.encoding == "UTF-8 (BOM)"


def test_excel_windows_1252_is_read_when_the_bytes_are_not_utf8() -> None:
    parsed = read("Name;Email\nRenée Müller;renee@example.com\n", default=MLOPS, encoding="cp1252")
    assert parsed.encoding == "Windows-1252"
    assert parsed.rows[0].name == "Renée Müller"


def test_utf16_from_excels_unicode_text_is_read() -> None:
    data = "Name\tRole\nAda Lovelace\tMLOps Engineer\n".encode("utf-16")
    parsed = parse(data, roles=ROLES)
    assert [(r.name, r.role) for r in parsed.rows] == [("Ada Lovelace", MLOPS)]


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Name,Email", ","),
        ("Name;Email;Role", ";"),
        ("Name\tEmail", "\t"),
        ('"Last, First";Email;Role', ";"),  # a comma inside quotes does not count
        ("Name", ","),
    ],
)
def test_the_delimiter_is_sniffed_from_the_heading_line(heading: str, expected: str) -> None:
    assert sniff_delimiter(heading + "\nx,y;z\n") == expected


def test_semicolons_quoted_newlines_and_line_numbers() -> None:
    text = (
        "Name;Email;Role;Notes\n"
        'Jane Doe;jane@example.com;MLOps Engineer;"Met at KubeCon;\nwants remote"\n'
        "Bob Stone;not-an-email;MLOps Engineer;\n"
    )
    parsed = read(text)
    assert parsed.delimiter == ";"
    assert [(r.line, r.name) for r in parsed.rows] == [(2, "Jane Doe")]
    assert parsed.rows[0].note == "Met at KubeCon;\nwants remote"
    # Jane's note spans lines 2-3, so Bob is on line 4, in column B.
    [problem] = parsed.problems
    assert (problem.line, problem.column) == (4, "B (Email)")
    assert "not an email address" in problem.message


def test_an_excel_workbook_is_refused_with_what_to_do() -> None:
    with pytest.raises(ImportFileError, match="Save As"):
        decode(b"PK\x03\x04 rest of a zip")


def test_a_file_without_a_name_column_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no column for the candidates' names"):
        read("Email,Role\na@example.com,MLOps Engineer\n")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        read("\n\n")


def test_an_unclosed_quote_past_the_field_limit_is_refused_with_its_line() -> None:
    text = 'Name,Notes\nJane,ok\nBob,"' + "x" * 140_000 + "\n"
    with pytest.raises(ImportFileError, match="line 3"):
        read(text, default=MLOPS)


# Headings ------------------------------------------------------------------------------------


def test_headings_match_forgivingly() -> None:
    text = "  FULL-NAME , E-mail Address,Job, Current Stage ,LinkedIn URL,Source,Comments\n"
    text += "Jane Doe,JANE@Example.com,mlops engineer,Phone Screen,https://lnkd.in/j,Referral,ok\n"
    [row] = read(text).rows
    assert (row.name, row.email, row.role, row.stage) == (
        "Jane Doe",
        "JANE@example.com",
        MLOPS,
        Stage.SCREENING,
    )
    assert (row.links, row.source, row.note) == ("https://lnkd.in/j", "Referral", "ok")


def test_greenhouse_spreadsheet_headings() -> None:
    # Greenhouse's bulk-import template: First Name, Last Name, Company, Title, Email,
    # Source, Job, ... "Title" is the person's current job title, not the role.
    text = "First Name,Last Name,Company,Title,Email,Website,Social Media,Source,Job,Notes\n"
    text += "Ada,Lovelace,Acme,Staff Engineer,ada@example.com,https://ada.dev,"
    text += "https://x.com/ada,LinkedIn,Data Engineer,Strong on pipelines\n"
    [row] = read(text).rows
    assert (row.name, row.role, row.source) == ("Ada Lovelace", DATA, "LinkedIn")
    assert row.links == "https://ada.dev\nhttps://x.com/ada"


def test_lever_spreadsheet_headings() -> None:
    # Lever's import templates: Full name / Full-Name, Email (several, comma-separated),
    # Stage ("New Lead"), Sources and Origin.
    text = 'Full-Name,Email,Stage,Sources,Origin\nGrace Hopper,"g@example.com,h@example.com",'
    text += "New Lead,Conference,Sourced\n"
    [row] = read(text, default=MLOPS).rows
    assert (row.name, row.email, row.stage) == ("Grace Hopper", "g@example.com", Stage.SOURCED)
    assert row.source == "Conference; Sourced"


def test_column_letters_follow_spreadsheets() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701)] == ["A", "Z", "AA", "AB", "ZZ"]


# Rows ---------------------------------------------------------------------------------------------


def test_each_problem_names_its_line_and_column() -> None:
    text = (
        "Name,Email,Role,Stage\n"
        ",nobody@example.com,MLOps Engineer,\n"
        "Jane,jane@example.com,Sales Engineer,\n"
        "Bob,bob@example.com,MLOps Engineer,on hold\n"
        f"{'x' * (MAX_NAME + 1)},,MLOps Engineer,\n"
        "\n"
        "Ok Person,,,\n"
    )
    parsed = read(text)
    got = [(p.line, p.column) for p in parsed.problems]
    assert got == [
        (2, "A (Name)"),
        (3, "C (Role)"),
        (4, "D (Stage)"),
        (5, "A (Name)"),
        (7, "C (Role)"),
    ]
    assert "Sales Engineer" in parsed.problems[1].message
    assert "on hold" in parsed.problems[2].message
    assert parsed.total == 5 and parsed.rows == []  # the blank line is not a row


def test_stage_defaults_to_sourced_and_takes_our_names_and_synonyms() -> None:
    text = "Name,Stage\nA,\nB,Interviewing\nC,onsite\nD,Offer extended\nE,archived\nF,HIRED\n"
    stages = [r.stage for r in read(text, default=MLOPS).rows]
    assert stages == [
        Stage.SOURCED,
        Stage.INTERVIEWING,
        Stage.INTERVIEWING,
        Stage.OFFER,
        Stage.REJECTED,
        Stage.HIRED,
    ]


def test_a_role_column_beats_the_default_role() -> None:
    text = "Name,Role\nA,Data Engineer\nB,\n"
    assert [r.role for r in read(text, default=MLOPS).rows] == [DATA, MLOPS]


# Sorting against what is stored ---------------------------------------------------------------


def test_present_by_email_else_by_name_within_the_role() -> None:
    existing = Existing()
    existing.add(candidate_id=7, role_id=1, key="jane doe", email="JANE@example.com")
    existing.add(candidate_id=8, role_id=1, key="bob stone", email=None)
    text = (
        "Name,Email,Role\n"
        "J. Doe,jane@example.com,MLOps Engineer\n"  # same email: present, whatever the name
        "BOB  STONE,,MLOps Engineer\n"  # same name key
        "Bob Stone,,Data Engineer\n"  # another role: new
        "Jane Doe,other@example.com,MLOps Engineer\n"  # the name is taken in the role
    )
    found = preview(text, existing)
    assert [(p.row.line, p.candidate_id) for p in found.present] == [(2, 7), (3, 8), (5, 7)]
    assert [r.line for r in found.new] == [4]


def test_repeats_within_the_file_are_skipped_once() -> None:
    text = (
        "Name,Email\n"
        "Jane Doe,jane@example.com\n"
        "Jane Doe,jane@example.com\n"  # the same person again
        "Janet Doe,JANE@example.com\n"  # same email
        "jane  doe,\n"  # same name
        "Bob,\n"
    )
    found = preview(text, default=MLOPS)
    assert [r.line for r in found.new] == [2, 6]
    assert [(d.row.line, d.first_line) for d in found.duplicates] == [(3, 2), (4, 2), (5, 2)]
    assert found.skipped == 3 and found.problem_rows == 0


def test_the_event_note_says_where_the_candidate_came_from() -> None:
    [row] = read("Name,Source,Notes\nJane,Referral,Knows Ray\n", default=MLOPS).rows
    # The row's note is not in it: it becomes a note, which interviewers do not read.
    assert event_note(row, filename="team.csv") == "imported from team.csv\nsource: Referral"
    assert row.note == "Knows Ray"
    assert event_note(row, filename="team.csv", how="from the command line").startswith(
        "imported from team.csv from the command line\n"
    )


def test_ten_thousand_rows_are_read_and_sorted_in_well_under_a_few_seconds() -> None:
    lines = ["Name,Email,Role,Stage"]
    lines += [
        f"Person {n},person{n}@example.com,MLOps Engineer,{('sourced', 'screening')[n % 2]}"
        for n in range(10_000)
    ]
    started = time.perf_counter()
    found = preview("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert len(found.new) == 10_000 and not found.problems
    assert elapsed < 5, f"took {elapsed:.1f}s"


def test_a_link_that_runs_script_refuses_its_row_and_other_words_are_kept() -> None:
    """The add form refuses javascript: links; an import refuses the row, naming the link,
    and keeps a spreadsheet's other words in links as typed."""
    parsed = read(
        "Name,Links\nCarl Weiss,javascript:alert(1)\nDana Roe,LinkedIn: linkedin.com/in/dana\n",
        default=MLOPS,
    )
    [problem] = parsed.problems
    assert (problem.line, problem.message) == (2, "“javascript:alert(1)” is not a web address.")
    [dana] = parsed.rows
    assert dana.links == "LinkedIn: linkedin.com/in/dana"


def test_an_address_in_a_mail_program_s_brackets_is_read() -> None:
    """'Ivy Jones <ivy@example.com>' as mail programs copy it: the address in the
    brackets; a cell that is no address is quoted whole, not cut at its first word."""
    parsed = read(
        "Name,Email,Role\n"
        "Ivy Jones,Ivy Jones <IVY@example.com>,MLOps Engineer\n"
        "Al Bo,Al Bo at home,MLOps Engineer\n"
    )
    [ivy] = parsed.rows
    assert ivy.email is not None and ivy.email.lower() == "ivy@example.com"
    [problem] = parsed.problems
    assert "“Al Bo at home” is not an email address" in str(problem)
