"""import_ssda903: a council's existing return (Header and Episodes) loaded into
the record, all or nothing, with a dry run; loading the same files again changes
nothing; and a round trip: export, load into an empty database, export again,
the same files."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases.models import Allocation, Child, LegalStatus, MissingEpisode, Placement, Role
from cases.models import ReunificationCase as Case
from reporting.ssda903 import Year, write_table
from reporting.ssda903.loading import load
from reviews.models import Review
from tests.factories import ReunificationCaseFactory, TeamFactory, UserFactory
from tests.ssda903_population import generate

YEAR = Year(2026)
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)


def table(name) -> str:
    stream = io.StringIO()
    write_table(name, YEAR, stream)
    return stream.getvalue()


def empty_the_record():
    for model in (Review, Allocation, Case, MissingEpisode, LegalStatus, Placement, Child):
        model.objects.all().delete()


@pytest.mark.django_db
def test_export_load_into_an_empty_database_and_export_again_gives_the_same_files():
    team = TeamFactory(name="Generated")
    iro, manager = UserFactory(username="iro.g"), UserFactory(username="tm.g")
    iro.role_grants.create(role=Role.IRO)
    # Care that began in the year, so that every episode is in the return.
    generate(40, team=team, iro=iro, recorded_by=manager, year_end=YEAR.end, since_days=330)
    names = ("Header", "Episodes", "Reviews", "Missing")
    files = [table(name) for name in names]
    assert files[1].count("\n") > 41 and ",X1," in files[1]
    assert files[2].count("\n") > 30 and files[3].count("\n") > 3
    empty_the_record()

    plan = load(*files, dry_run=False)

    assert plan.refused == [] and plan.loaded
    assert len(plan.created) == 40 and len(plan.histories) == 40
    assert plan.reviews == files[2].count("\n") - 1 and plan.missing == files[3].count("\n") - 1
    assert [table(name) for name in names] == files

    again = load(*files, dry_run=False)
    assert (again.created, again.histories, again.reviews, again.missing) == ([], [], 0, 0)
    assert again.reviews_held == plan.reviews and again.missing_held == plan.missing


@pytest.mark.django_db
def test_a_dry_run_changes_nothing_and_a_second_load_changes_nothing(tmp_path):
    header = HEADER + "C1,F,03/02/2015,WBRI,UN1,0,\n"
    episodes = EPISODES + (
        "C1,01/05/2025,S,V2,N1,U6,PR1,01/09/2025,X1,CARPL,TW1 1AA,TW1 1AW,SC482619\n"
        "C1,01/09/2025,P,V2,N1,K2,PR4,28/02/2026,E4A,,TW1 1AA,TW1 1AX,SC391774\n"
    )
    (tmp_path / "header.csv").write_text(header)
    (tmp_path / "episodes.csv").write_text(episodes)
    files = ["--header", str(tmp_path / "header.csv"), "--episodes", str(tmp_path / "episodes.csv")]

    out = io.StringIO()
    call_command("import_ssda903", *files, "--dry-run", stdout=out)
    assert "Would load: 1 children new" in out.getvalue()
    assert not Child.objects.exists()

    call_command("import_ssda903", *files, stdout=io.StringIO())
    child = Child.objects.get(local_identifier="C1")
    assert [
        (s.code, s.start_date, s.end_date, s.reason_ceased) for s in child.legal_statuses.all()
    ] == [("V2", datetime.date(2025, 5, 1), datetime.date(2026, 2, 28), "E4A")]
    assert child.placements.count() == 2

    out = io.StringIO()
    call_command("import_ssda903", *files, stdout=out)
    assert "0 children new, 0 changed, 1 unchanged; care histories for 0" in out.getvalue()
    assert child.placements.count() == 2 and LegalStatus.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_row_loads_nothing_and_says_why(tmp_path):
    header = HEADER + "C1,F,03/02/2015,WBRI,UN1,0,\nC2,1,03/02/2015,WBRI,UN1,,\n"
    episodes = EPISODES + (
        "C1,01/05/2025,S,V2,N1,U6,PR1,,,,TW1 1AA,TW1 1AW,SC482619\n"
        "C3,01/05/2025,S,V2,N1,H9,PR1,,,,TW1 1AA,TW1 1AW,SC482619\n"
    )
    (tmp_path / "header.csv").write_text(header)
    (tmp_path / "episodes.csv").write_text(episodes)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command(
            "import_ssda903",
            "--header",
            str(tmp_path / "header.csv"),
            "--episodes",
            str(tmp_path / "episodes.csv"),
            stdout=out,
        )
    assert "Refused: Header line 3 (C2): SEX '1' is not M, F or U" in out.getvalue()
    assert "Refused: Episodes line 3 (C3): the child is not in the Header file" in out.getvalue()
    assert not Child.objects.exists()


REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"
MISSING = "CHILD,DOB,MISSING,MIS_START,MIS_END\n"
ONE_CHILD = HEADER + "C1,F,03/02/2015,WBRI,UN1,0,\n"
IN_CARE = EPISODES + "C1,01/05/2025,S,V2,N1,U6,PR1,,,,TW1 1AA,TW1 1AW,SC482619\n"


@pytest.mark.django_db
def test_reviews_and_missing_episodes_are_loaded_with_their_codes():
    reviews = REVIEWS + "C1,03/02/2015,21/05/2025,PN1\nC1,03/02/2015,20/11/2025,PN7\n"
    missing = MISSING + "C1,03/02/2015,A,01/06/2025,02/06/2025\nC1,03/02/2015,M,01/12/2025,\n"

    plan = load(ONE_CHILD, IN_CARE, reviews, missing, dry_run=False)

    assert plan.loaded and (plan.reviews, plan.missing) == (2, 2)
    child = Child.objects.get(local_identifier="C1")
    assert [(r.held_on, r.participation) for r in child.loaded_reviews.order_by("held_on")] == [
        (datetime.date(2025, 5, 21), "PN1"),
        (datetime.date(2025, 11, 20), "PN7"),
    ]
    assert [
        (m.kind, m.start_date, m.end_date) for m in child.missing_episodes.order_by("start_date")
    ] == [
        ("A", datetime.date(2025, 6, 1), datetime.date(2025, 6, 2)),
        ("M", datetime.date(2025, 12, 1), None),
    ]
    assert table("Reviews").replace("\r\n", "\n") == reviews
    assert table("Missing").replace("\r\n", "\n") == missing


@pytest.mark.django_db
def test_bad_review_and_missing_rows_are_refused_each_with_its_reason():
    reviews = REVIEWS + (
        "C1,03/02/2015,21/05/2025,PN9\n"  # no such code
        "C1,03/02/2015,01/04/2025,PN1\n"  # before care began
        "C1,04/02/2015,21/06/2025,PN1\n"  # another date of birth
        "C9,03/02/2015,21/06/2025,PN1\n"  # no such child
        "C1,03/02/2015,31/02/2026,PN1\n"  # no such day
    )
    missing = MISSING + (
        "C1,03/02/2015,X,01/06/2025,\n"
        "C1,03/02/2015,M,10/06/2025,09/06/2025\n"
        "C1,03/02/2015,M,01/07/2025,10/07/2025\n"
        "C1,03/02/2015,A,05/07/2025,06/07/2025\n"  # within the one before
    )

    plan = load(ONE_CHILD, IN_CARE, reviews, missing, dry_run=False)

    assert not plan.loaded and not Child.objects.exists()
    assert [(r.table, r.row, r.reason) for r in plan.refused] == [
        ("Reviews", 2, "REVIEW_CODE 'PN9' is not an SSDA903 participation code"),
        ("Reviews", 3, "the child was not looked after on the day of the review"),
        ("Reviews", 4, "DOB is not the child's date of birth in the Header file"),
        ("Reviews", 5, "the child is not in the Header file nor already held"),
        ("Reviews", 6, "REVIEW '31/02/2026' is not a date as DD/MM/YYYY"),
        ("Missing", 2, "MISSING 'X' is not M (missing) or A (away)"),
        ("Missing", 3, "MIS_END is before MIS_START"),
        ("Missing", 5, "it overlaps the missing episode from 01/07/2025"),
    ]


@pytest.mark.django_db
def test_a_review_already_recorded_on_the_childs_case_is_not_loaded_again():
    load(ONE_CHILD, IN_CARE, dry_run=False)
    child = Child.objects.get()
    iro = UserFactory(username="iro.r")
    case = ReunificationCaseFactory(child=child)
    Review.objects.create(
        case=case, held_on=datetime.date(2025, 5, 21), review_type="cic", chair=iro,
        attended="-", outcome="-", participation="PN1", recorded_by=iro,
    )  # fmt: skip
    reviews = REVIEWS + "C1,03/02/2015,21/05/2025,PN1\n"

    plan = load(ONE_CHILD, IN_CARE, reviews, dry_run=False)

    assert (plan.reviews, plan.reviews_held) == (0, 1) and not child.loaded_reviews.exists()


@pytest.mark.django_db
def test_a_file_without_the_columns_is_refused_whole():
    with pytest.raises(ValidationError, match="The Reviews file has no REVIEW_CODE column"):
        load(ONE_CHILD, IN_CARE, REVIEWS.replace("REVIEW_CODE", "CODE"), dry_run=True)
