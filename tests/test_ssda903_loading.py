"""import_ssda903: a council's existing return (Header and Episodes) loaded into
the record, all or nothing, with a dry run; loading the same files again changes
nothing; and a round trip: export, load into an empty database, export again,
the same files."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import Allocation, Child, LegalStatus, MissingEpisode, Placement, Role
from cases.models import ReunificationCase as Case
from reporting.ssda903 import Year, write_table
from reporting.ssda903.loading import load
from reviews.models import Review
from tests.factories import TeamFactory, UserFactory
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
    header, episodes = table("Header"), table("Episodes")
    assert episodes.count("\n") > 41 and ",X1," in episodes
    empty_the_record()

    plan = load(header, episodes, dry_run=False)

    assert plan.refused == [] and plan.loaded
    assert len(plan.created) == 40 and len(plan.histories) == 40
    assert (table("Header"), table("Episodes")) == (header, episodes)


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
