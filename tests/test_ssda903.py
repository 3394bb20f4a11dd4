"""The SSDA903-style extract: episodes split where the legal status or the
placement changes, the DfE's reason codes, the cohort and the period, and the
page and management command that write it as CSV.

The extract's period in most tests is the 2025-26 collection year, 1 April 2025
to 31 March 2026.
"""

import csv
import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.models import DataDownload, LegalStatus, Placement, ReunificationCase, Role, Stage
from cases.models.codes import placement_codes
from reporting.models import PreparedExport
from reporting.ssda903 import (
    FIELDS,
    Episode,
    Year,
    episodes,
    extract,
    reason_new_episode,
    table_rows,
    write_csv,
)
from reviews.models import Breakdown, Closure, ReturnHome
from tests.factories import ChildFactory

D = datetime.date
LONDON = ZoneInfo("Europe/London")
START, END = D(2025, 4, 1), D(2026, 3, 31)
BORN = D(2015, 2, 3)


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)


# episodes() ----------------------------------------------------------------------


def status(code, start, end=None):
    return LegalStatus(code=code, start_date=start, end_date=end)


def placed(kind, carer, start, end=None):
    return Placement(placement_type=kind, carer=carer, start_date=start, end_date=end)


def test_episodes_split_at_each_change_and_merge_unchanged_stretches():
    statuses = [
        status("V2", D(2024, 1, 1), D(2024, 2, 15)),
        status("V2", D(2024, 2, 15), D(2024, 3, 1)),  # same status again: no new episode
        status("C1", D(2024, 3, 1), D(2024, 6, 1)),
        status("C2", D(2024, 6, 1), D(2024, 10, 1)),
        status("E1", D(2024, 10, 1), D(2025, 1, 1)),
        status("V2", D(2025, 3, 1)),  # after two months at home
    ]
    placements = [
        placed("U6", "Foster A", D(2024, 1, 1), D(2024, 2, 1)),
        placed("U6", "Foster A", D(2024, 2, 1), D(2024, 4, 1)),  # unchanged: merged
        placed("U4", "Foster A", D(2024, 4, 1), D(2024, 6, 1)),
        placed("K2", "Oak House", D(2024, 6, 1), D(2024, 8, 1)),
        placed("U6", "Foster B", D(2024, 8, 1), D(2024, 10, 1)),
        placed("U4", "Foster B", D(2024, 10, 1), D(2025, 1, 1)),
        placed("U6", "Foster C", D(2025, 3, 1)),
    ]
    found = episodes(statuses, placements)
    assert found == [
        Episode(D(2024, 1, 1), D(2024, 3, 1), "V2", "U6", "Foster A"),
        Episode(D(2024, 3, 1), D(2024, 4, 1), "C1", "U6", "Foster A"),
        Episode(D(2024, 4, 1), D(2024, 6, 1), "C1", "U4", "Foster A"),
        Episode(D(2024, 6, 1), D(2024, 8, 1), "C2", "K2", "Oak House"),
        Episode(D(2024, 8, 1), D(2024, 10, 1), "C2", "U6", "Foster B"),
        Episode(D(2024, 10, 1), D(2025, 1, 1), "E1", "U4", "Foster B"),
        Episode(D(2025, 3, 1), None, "V2", "U6", "Foster C"),
    ]
    reasons = [reason_new_episode(found[i - 1] if i else None, e) for i, e in enumerate(found)]
    assert reasons == [
        "S",  # started to be looked after
        "L",  # legal status only
        "T",  # placement type changed, same carer
        "B",  # legal status, placement and carer
        "P",  # placement and carer
        "U",  # legal status and placement, same carer
        "S",  # looked after again after a gap
    ]


def test_no_episode_without_both_a_legal_status_and_a_placement():
    statuses = [status("V2", D(2024, 1, 1), D(2024, 5, 1))]
    placements = [placed("U6", "Foster A", D(2024, 2, 1))]
    assert episodes(statuses, placements) == [
        Episode(D(2024, 2, 1), D(2024, 5, 1), "V2", "U6", "Foster A")
    ]
    assert episodes([], placements) == []


BEFORE = Episode(D(2024, 1, 1), D(2024, 3, 1), "V2", "U6", "Foster A")


def then(legal_status, placement, carer, start=BEFORE.end):
    return Episode(start, None, legal_status, placement, carer)


@pytest.mark.parametrize(
    "previous, episode, code",
    [
        (None, then("V2", "U6", "Foster A"), "S"),  # the first episode
        (BEFORE, then("V2", "U6", "Foster A", D(2024, 3, 2)), "S"),  # after a day at home
        (BEFORE, then("C1", "U6", "Foster A"), "L"),  # legal status only
        (BEFORE, then("V2", "U6", "Foster B"), "P"),  # carer, same placement type
        (BEFORE, then("V2", "K2", "Oak House"), "P"),  # placement and carer
        (BEFORE, then("V2", "U4", "Foster A"), "T"),  # placement, same carer
        (BEFORE, then("C2", "K2", "Oak House"), "B"),  # legal status, placement and carer
        (BEFORE, then("C2", "U6", "Foster B"), "B"),  # legal status and carer
        (BEFORE, then("C2", "U4", "Foster A"), "U"),  # legal status and placement, same carer
    ],
)
def test_reason_for_new_episode(previous, episode, code):
    assert reason_new_episode(previous, episode) == code


# The extract ---------------------------------------------------------------------


class Records:
    def __init__(self, manager):
        self.manager = manager

    def child(self, identifier, *, sex="M", born=BORN, ethnic="WBRI", name="Test"):
        return ChildFactory(
            local_identifier=identifier,
            first_name=name,
            sex=sex,
            date_of_birth=born,
            ethnicity=ethnic,
        )

    def status(self, child, code, start, end=None):
        LegalStatus.objects.create(child=child, code=code, start_date=start, end_date=end)

    def placed(self, child, kind, carer, start, end=None):
        Placement.objects.create(
            child=child, placement_type=kind, carer=carer, start_date=start, end_date=end
        )

    def case(self, child, team, *, opened, closed=None, stage=None, need="N1", **extra):
        stage = stage or (Stage.CLOSED if closed else Stage.IDENTIFICATION)
        return ReunificationCase.objects.create(
            child=child,
            team=team,
            stage=stage,
            stage_entered_on=closed or opened,
            opened_on=opened,
            closed_on=closed,
            became_looked_after_on=opened,
            category_of_need=need,
            **extra,
        )

    def returned(self, case, on, reason, *, care_order=False):
        return ReturnHome.objects.create(
            case=case,
            returned_on=on,
            planned=reason != "E4B",
            unplanned_reason="" if reason != "E4B" else "Went home from school.",
            returned_to="Mother",
            episode_end_reason=reason,
            legal_status_after="care_order" if care_order else "child_in_need",
            recorded_by=self.manager,
            recorded_at=noon(on),
        )

    def closed(self, case, on, reason):
        Closure.objects.create(
            case=case,
            closed_on=on,
            reason=reason,
            permanence_plan="Long-term fostering." if reason == "permanence" else "",
            closed_by=self.manager,
            role=Role.TEAM_MANAGER,
            recorded_at=noon(on),
        )


@pytest.fixture
def cohort(everyone, north, team_manager):
    r = Records(team_manager)

    # Xan: a return home (E4A) that broke down, then a second case.
    xan = r.child("X0001", sex="M", born=D(2015, 2, 3), ethnic="WBRI")
    r.status(xan, "V2", D(2024, 9, 1), D(2025, 6, 10))
    r.status(xan, "V2", D(2025, 9, 1))
    r.placed(xan, "U6", "Foster A", D(2024, 9, 1), D(2025, 2, 1))  # ends before the period
    r.placed(xan, "U6", "Foster B", D(2025, 2, 1), D(2025, 6, 10))
    r.placed(xan, "U6", "Foster B", D(2025, 9, 1))
    first = r.case(xan, north, opened=D(2024, 10, 1), closed=D(2025, 9, 1))
    r.returned(first, D(2025, 6, 10), "E4A")
    Breakdown.objects.create(
        case=first,
        came_back_on=D(2025, 9, 1),
        reason="Mother relapsed.",
        recorded_by=team_manager,
        recorded_at=noon(D(2025, 9, 1)),
    )
    r.closed(first, D(2025, 9, 1), "breakdown")
    r.case(xan, north, opened=D(2025, 9, 5), previous_case=first)

    # Yas: home under a care order, so placed with parents; back in foster care
    # after the period.
    yas = r.child("Y0002", sex="F", born=D(2018, 7, 20), ethnic="MWBC")
    r.status(yas, "C2", D(2025, 1, 1))
    r.placed(yas, "U4", "Foster D", D(2025, 1, 1), D(2025, 7, 1))
    r.placed(yas, "P1", "Mother", D(2025, 7, 1), D(2026, 5, 1))
    r.placed(yas, "U4", "Foster D", D(2026, 5, 1))
    care_order = r.case(yas, north, opened=D(2025, 2, 1), stage=Stage.RETURN_HOME, need="N4")
    r.returned(care_order, D(2025, 7, 1), "", care_order=True)

    # Zed: went to live with his aunt (E13) on the first day of the period.
    zed = r.child("Z0003", sex="M", born=D(2012, 12, 12), ethnic="AOTH")
    r.status(zed, "V2", D(2024, 6, 1), D(2025, 4, 1))
    r.placed(zed, "U6", "Foster E", D(2024, 6, 1), D(2025, 4, 1))
    home = r.case(zed, north, opened=D(2024, 8, 1), stage=Stage.RETURN_HOME)
    r.returned(home, D(2025, 4, 1), "E13")

    # Wyn: case closed on the first day of the period; still looked after.
    wyn = r.child("W0004", sex="F", born=D(2011, 1, 30), ethnic="BAFR")
    r.status(wyn, "V2", D(2024, 5, 1))
    r.placed(wyn, "U6", "Foster F", D(2024, 5, 1))
    ruled_out = r.case(wyn, north, opened=D(2024, 6, 1), closed=START)
    r.closed(ruled_out, START, "permanence")

    # Sol: case opened on the last day of the period, looked after from that day.
    sol = r.child("S0008", sex="M", born=D(2009, 9, 9), ethnic="WIRI")
    r.status(sol, "V2", END)
    r.placed(sol, "K2", "Oak House", END)
    r.case(sol, north, opened=END)

    # Not in the cohort: Una's case closed the day before the period, Val's opened
    # the day after, and Tom has never had a reunification case. All are looked
    # after throughout the period.
    for identifier, opened, closed in [
        ("U0005", D(2024, 6, 1), D(2025, 3, 31)),
        ("V0006", D(2026, 4, 1), None),
        ("T0007", None, None),
    ]:
        child = r.child(identifier)
        r.status(child, "V2", D(2024, 1, 1))
        r.placed(child, "U6", "Foster G", D(2024, 1, 1))
        if opened:
            case = r.case(child, north, opened=opened, closed=closed)
            if closed:
                r.closed(case, closed, "other")
    return r


def row(child, sex, dob, ethnic, decom, rne, ls, cin, place, dec, rec):
    return dict(
        zip(FIELDS, [child, sex, dob, ethnic, decom, rne, ls, cin, place, dec, rec], strict=True)
    )


EXPECTED = [
    # Sol: the episode starting on the last day of the period counts.
    row("S0008", "M", "09/09/2009", "WIRI", "31/03/2026", "S", "V2", "N1", "K2", "", ""),
    # Wyn: case closed on the first day of the period; one open episode.
    row("W0004", "F", "30/01/2011", "BAFR", "01/05/2024", "S", "V2", "N1", "U6", "", ""),
    # Xan: the Foster A episode ended before the period and is left out; the
    # Foster B episode ended with the return home (E4A); after the breakdown a new
    # period of care starts (S).
    row(
        "X0001", "M", "03/02/2015", "WBRI", "01/02/2025", "P", "V2", "N1", "U6", "10/06/2025", "E4A"
    ),
    row("X0001", "M", "03/02/2015", "WBRI", "01/09/2025", "S", "V2", "N1", "U6", "", ""),
    # Yas: the return under a care order changes the placement, ending one
    # episode and starting the next the same day (X1); the placement with parents
    # is still running at 31 March, so it is open in this year's return (no DEC,
    # no REC), though it ended in May; the one that starts after the period is
    # left out.
    row(
        "Y0002", "F", "20/07/2018", "MWBC", "01/01/2025", "S", "C2", "N4", "U4", "01/07/2025", "X1"
    ),
    row("Y0002", "F", "20/07/2018", "MWBC", "01/07/2025", "P", "C2", "N4", "P1", "", ""),
    # Zed: the episode ceased on the first day of the period, when he went to his
    # aunt (E13).
    row(
        "Z0003", "M", "12/12/2012", "AOTH", "01/06/2024", "S", "V2", "N1", "U6", "01/04/2025", "E13"
    ),
]


def test_extract_rows_for_the_cohort_and_the_period(cohort):
    assert extract(START, END) == EXPECTED


def test_extract_uses_the_dfe_field_names_in_order(cohort):
    stream = io.StringIO()
    write_csv(extract(START, END), stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "CHILD,SEX,DOB,ETHNIC,DECOM,RNE,LS,CIN,PLACE,DEC,REC"
    assert lines[1] == "S0008,M,09/09/2009,WIRI,31/03/2026,S,V2,N1,K2,,"
    assert len(lines) == 1 + len(EXPECTED)


def test_a_narrower_period_keeps_only_episodes_overlapping_it(cohort):
    """1 August to 31 December 2025. Wyn's case had closed and Sol's had not
    opened. Xan's Foster B episode ended in June and Yas's first in July; Zed is
    in the cohort (his case is open) but his only episode ended in April. Yas's
    placement with parents runs past 31 December: open in this extract."""
    rows = extract(D(2025, 8, 1), D(2025, 12, 31))
    assert [(r["CHILD"], r["DECOM"], r["DEC"], r["REC"]) for r in rows] == [
        ("X0001", "01/09/2025", "", ""),
        ("Y0002", "01/07/2025", "", ""),
    ]


@pytest.mark.parametrize("reason", ["E4A", "E4B", "E13"])
def test_an_episode_ended_by_a_return_home_carries_its_reason(
    everyone, north, team_manager, reason
):
    r = Records(team_manager)
    child = r.child("R0001")
    r.status(child, "V2", D(2025, 5, 1), D(2025, 8, 1))
    r.placed(child, "U6", "Foster A", D(2025, 5, 1), D(2025, 8, 1))
    case = r.case(child, north, opened=D(2025, 5, 2), stage=Stage.RETURN_HOME)
    r.returned(case, D(2025, 8, 1), reason)
    [only] = extract(START, END)
    assert (only["DECOM"], only["DEC"], only["REC"]) == ("01/05/2025", "01/08/2025", reason)


def test_category_of_need_before_the_first_case_is_the_first_cases(everyone, north, team_manager):
    """Looked after from 1 May 2025; the first case (N1) opened on 1 June, broke
    down, and a second case (N2) opened in 2026. The first episode began before
    either case: its category of need is the first case's, not the latest's."""
    r = Records(team_manager)
    child = r.child("C0001")
    r.status(child, "V2", D(2025, 5, 1))
    r.placed(child, "U6", "Foster A", D(2025, 5, 1))
    first = r.case(child, north, opened=D(2025, 6, 1), closed=D(2025, 12, 1), need="N1")
    r.closed(first, D(2025, 12, 1), "other")
    r.case(child, north, opened=D(2026, 1, 5), need="N2", previous_case=first)
    [only] = extract(START, END)
    assert only["CIN"] == "N1"


# The page and the command ----------------------------------------------------------


def dates(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_page_downloads_the_extract(client, cohort, performance):
    client.force_login(performance)
    response = client.get(
        reverse("reporting:ssda903"), {**dates("start", START), **dates("end", END)}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="ssda903-reunification-20250401-20260331.csv"'
    )
    assert list(csv.DictReader(io.StringIO(response.content.decode()))) == EXPECTED


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_command_writes_the_same_csv_as_the_page(client, cohort, performance, tmp_path):
    output = tmp_path / "ssda903.csv"
    out = io.StringIO()
    call_command(
        "export_ssda903",
        "--start",
        "2025-04-01",
        "--end",
        "2026-03-31",
        "--output",
        str(output),
        stdout=out,
    )
    assert f"Wrote 7 episodes to {output}." in out.getvalue()
    client.force_login(performance)
    page = client.get(reverse("reporting:ssda903"), {**dates("start", START), **dates("end", END)})
    assert output.read_bytes() == page.content
    with open(output, newline="", encoding="utf-8") as stream:
        assert list(csv.DictReader(stream)) == EXPECTED


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("2025-13-01", "2026-03-31", "'2025-13-01' is not a date; use YYYY-MM-DD"),
        ("2025-04-01", "31/03/2026", "'31/03/2026' is not a date; use YYYY-MM-DD"),
        ("2026-03-31", "2025-04-01", "The end of the period is before its start"),
    ],
)
def test_the_command_rejects_bad_dates(db, tmp_path, start, end, message):
    output = tmp_path / "ssda903.csv"
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("export_ssda903", "--start", start, "--end", end, "--output", str(output))
    assert not output.exists()


# The return for a collection year: its tables, the zip, the checks on the page ----


YEAR = Year(2026)


def test_the_return_covers_every_child_looked_after_in_the_year(cohort):
    """Tom (T0007) never had a reunification case but is looked after: he is in
    the return. Sex is M/F; Yas's placement with parents, still running on 31
    March, is open in the return."""
    header = list(table_rows("Header", YEAR))
    assert [h["CHILD"] for h in header] == [
        "S0008", "T0007", "U0005", "V0006", "W0004", "X0001", "Y0002", "Z0003",
    ]  # fmt: skip
    assert {h["SEX"] for h in header} == {"M", "F"}
    yas = [e for e in table_rows("Episodes", YEAR) if e["CHILD"] == "Y0002"]
    assert [(e["PLACE"], e["PLACE_PROVIDER"], e["DEC"], e["REC"]) for e in yas] == [
        ("U4", "PR1", "01/07/2025", "X1"),
        ("P1", "PR0", "", ""),
    ]


def test_every_ending_carries_its_reason(everyone, north, team_manager):
    """Care ending in special guardianship is recorded on the legal status; an
    ending recorded with no reason is E8 (any other reason), never blank."""
    r = Records(team_manager)
    child = r.child("G0001")
    LegalStatus.objects.create(
        child=child, code="C2", start_date=D(2025, 5, 1), end_date=D(2025, 9, 1),
        reason_ceased="E45",
    )  # fmt: skip
    r.placed(child, "U4", "Foster A", D(2025, 5, 1), D(2025, 9, 1))
    other = r.child("G0002")
    r.status(other, "V2", D(2025, 5, 1), D(2026, 1, 31))
    r.placed(other, "U6", "Foster B", D(2025, 5, 1), D(2026, 1, 31))
    rows = {e["CHILD"]: e["REC"] for e in table_rows("Episodes", YEAR)}
    assert rows == {"G0001": "E45", "G0002": "E8"}


def test_the_category_of_need_is_one_for_a_whole_period_of_care(everyone, north, team_manager):
    """One period of care, two cases (N4, then N2): both episodes carry N4."""
    r = Records(team_manager)
    child = r.child("C0002")
    r.status(child, "V2", D(2025, 5, 1))
    r.placed(child, "U6", "Foster A", D(2025, 5, 1), D(2025, 10, 1))
    r.placed(child, "K2", "Oak House", D(2025, 10, 1))
    first = r.case(child, north, opened=D(2025, 5, 1), closed=D(2025, 9, 1), need="N4")
    r.closed(first, D(2025, 9, 1), "other")
    r.case(child, north, opened=D(2025, 9, 2), need="N2", previous_case=first)
    assert [e["CIN"] for e in table_rows("Episodes", YEAR)] == ["N4", "N4"]


def test_placement_codes_are_kept_by_collection_year():
    assert {"H5", "P2", "Z1"} <= placement_codes(2025)
    assert not {"H5", "P2", "Z1"} & placement_codes(2026)
    assert {"K3", "Z11", "Z12", "Z13", "Z14"} <= placement_codes(2026)
    assert placement_codes(2027) == placement_codes(2026)


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_page_downloads_the_return_as_a_zip_of_its_tables(
    client, cohort, performance, django_capture_on_commit_callbacks, tasks_in_process
):
    """The whole council's return is prepared in the background, then handed over."""
    client.force_login(performance)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(reverse("reporting:ssda903"), {"year": "2026", "download": ""})
    [export] = PreparedExport.objects.all()
    assert asked.url == reverse("reporting:ssda903") + f"?year=2026&prepared={export.pk}"
    page = client.get(asked.url)
    link = reverse("reporting:ssda903_prepared", args=[export.pk])
    assert link.encode() in page.content
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ssda903-2025-26.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [
        "episodes.csv", "header.csv", "missing.csv", "reviews.csv", "swepisodes.csv",
    ]  # fmt: skip
    header = archive.read("header.csv").decode().splitlines()
    assert header[0] == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
    assert (
        archive.read("swepisodes.csv")
        .decode()
        .startswith("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON")
    )
    [logged] = DataDownload.objects.all()
    assert (logged.report, logged.scope) == ("SSDA903 return", "2025/26; the whole council")


@pytest.mark.usefixtures("on_10_march_2026")
def test_the_checks_name_only_the_children_the_viewer_may_see(
    client, cohort, performance, team_manager
):
    """Yas (a girl) has no MOTHER recorded: rule 393 fails for her. The team
    manager of her case sees her named and linked; performance staff see only
    how many children it names."""
    pytest.importorskip("lac_validator")
    client.force_login(team_manager)
    page = client.get(reverse("reporting:ssda903"), {"year": "2026", "check": ""})
    failing = {f["rule"]: f for f in page.context["failures"]}
    yas = ReunificationCase.objects.get(child__local_identifier="Y0002")
    assert "393" in failing
    assert {
        "identifier": "Y0002",
        "name": "Test Example",
        "url": reverse("cases:overview", args=[yas.pk]),
    } in (failing["393"]["children"])
    client.force_login(performance)
    page = client.get(reverse("reporting:ssda903"), {"year": "2026", "check": ""})
    failing = {f["rule"]: f for f in page.context["failures"]}
    assert failing["393"]["children"] == [] and failing["393"]["hidden"] >= 1
    assert b"you may not see" in page.content


# The new fields on the forms ----------------------------------------------------


def child_form(**changes):
    from cases.forms import ChildForm

    data = {
        "first_name": "Kayla",
        "last_name": "Brightwater",
        "date_of_birth_0": "4",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2012",
        "sex": "F",
        "ethnicity": "WBRI",
        "local_identifier": "N123456",
        "nhs_number": "",
        **changes,
    }
    return ChildForm(data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"upn": "A12345"}, "upn", "Enter the UPN as a letter and 12 characters"),
        ({"home_postcode": "12345"}, "home_postcode", "Enter a real postcode"),
        ({"sex": "M", "is_mother": "true"}, "is_mother", "Only a girl can be recorded as a mother"),
        (
            {"is_mother": "false", "mothers_child_born_on_0": "1", "mothers_child_born_on_1": "1",
             "mothers_child_born_on_2": "2026"},
            "mothers_child_born_on",
            "Only a child who is a mother has a child's date of birth",
        ),
    ],
)  # fmt: skip
def test_the_child_form_explains_what_the_return_needs(changes, field, message):
    form = child_form(**changes)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors


@pytest.mark.django_db
def test_the_child_form_takes_sex_unknown_a_upn_and_a_postcode_in_any_case():
    form = child_form(sex="U", upn="UN2", home_postcode="tw11aa")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["sex"], form.cleaned_data["home_postcode"]) == ("U", "TW1 1AA")
