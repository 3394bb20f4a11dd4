"""Two people change the same record at once (optimistic locking).

Sarah Wood and Tina Marsh open the same edit page. Sarah saves first. When Tina
saves, nothing of hers is written: she gets the page back with what she typed
still in the form, an error at the top, and what is saved now (Sarah's change)
to compare. Saving again then replaces Sarah's change, on purpose. Every edit
page of the URL conf and every record type of the generic record pages is
checked, so a new one is covered (or this file fails until it is).
"""

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.html import escape

from cases.forms import STALE_RECORD_MESSAGE, GOVUKModelForm
from cases.models import Sibling, StaleRecord, Versioned, claim_version
from cases.records import RECORD_TYPES
from cases.selectors import case_history
from planning.forms import AgreementGoalForm
from planning.models import GoalReview
from reunification.clock import today
from risk.models import RiskAssessment
from tests.factories import (
    ChildFactory,
    SiblingFactory,
    parents_with_responsibility,
    planning_records,
)
from tests.html_forms import Form, page_form

pytestmark = pytest.mark.usefixtures("on_10_march_2026")


def edit_url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every page of the URL conf named as an edit page."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= edit_url_names(pattern.url_patterns, inner)
        elif pattern.name and pattern.name.split("_")[0] == "edit":
            names.add(namespace + pattern.name)
    return names


# The record each edit page outside the generic record pages changes, and its address.
OTHER_EDIT_PAGES = {
    "cases:edit_child": lambda case: (case.child, [case.pk]),
    "cases:edit_case": lambda case: (case, [case.pk]),
    "risk:edit": lambda case: (
        assessment := case.risk_assessments.get(status="draft"),
        [case.pk, assessment.pk],
    ),
    "planning:edit_meeting": lambda case: (
        meeting := case.planning_meetings.first(),
        [case.pk, meeting.pk],
    ),
    "planning:edit_agreement": lambda case: (
        agreement := case.written_agreements.first(),
        [case.pk, agreement.pk],
    ),
    "planning:edit_goal_review": lambda case: (
        review := GoalReview.objects.filter(goal__agreement__case=case).first(),
        [case.pk, review.goal_id, review.pk],
    ),
}
EDIT_PAGES = [f"cases:edit_record:{slug}" for slug in RECORD_TYPES] + list(OTHER_EDIT_PAGES)

# Model forms whose records are changed only through another record's page.
EDITED_WITH_ANOTHER_RECORD = {AgreementGoalForm}  # the goals, on the agreement's page


def edit_page(page: str, case) -> tuple[str, object]:
    """The address of an edit page of the case and the record it changes."""
    if page.startswith("cases:edit_record:"):
        slug = page.rsplit(":", 1)[1]
        record = RECORD_TYPES[slug].queryset(case).order_by("pk").first()
        return reverse("cases:edit_record", args=[case.pk, slug, record.pk]), record
    record, args = OTHER_EDIT_PAGES[page](case)
    return reverse(page, args=args), record


@pytest.fixture
def records(case, social_worker, team_manager):
    """Kayla's case with one record behind every edit page."""
    parents_with_responsibility(case)  # so her mother's views can be changed
    planning_records(case, team_manager=team_manager)
    goal = case.written_agreements.get().goals.get()
    GoalReview.objects.create(goal=goal, reviewed_on=today(), outcome="partly", evidence="Two")
    RiskAssessment.objects.create(case=case, author=social_worker, assessed_on=today())
    return case


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history_count(record) -> int:
    return type(record).history.filter(id=record.pk).count()


def change_for(form: Form, record) -> tuple[str, str, str]:
    """A field of the record on the form, and a value for each person to give it:
    the first box to type in, or else a list with other answers to choose."""
    fields = {f.name for f in record._meta.concrete_fields}
    on_form = [c for c in form.controls if c.name in fields]
    for control in sorted(on_form, key=lambda c: c.tag != "textarea"):
        if control.is_text:
            return control.name, "Sarah's change, typed first", "Tina's change, typed second"
    for control in on_form:
        current = form.data().get(control.name)
        others = [v for v in form.choices(control.name) if v and v != current]
        if len(others) >= 2:
            return control.name, others[0], others[1]
    raise AssertionError(f"Nothing on the form of {record!r} to change")


def saved_value(record, name: str):
    record.refresh_from_db()
    return getattr(record, name)


def shown(record, name: str, value: str) -> str:
    """How the page shows the value `name` holds when it is `value`."""
    field = record._meta.get_field(name)
    return str(dict(field.flatchoices).get(value, value)) if field.choices else value


def error_summary(response) -> str:
    found = re.search(r'class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def saved_now(response) -> str:
    found = re.search(r'id="saved-now".*?</dl>', response.content.decode(), re.S)
    assert found, "the page does not show what is saved now"
    return found.group(0)


def test_every_edit_page_of_the_url_conf_is_covered():
    assert edit_url_names() == {"cases:edit_record", *OTHER_EDIT_PAGES}


def test_every_record_form_edits_a_versioned_record():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    project = {"cases", "risk", "planning", "reviews", "reporting"}
    unversioned = {
        form
        for form in subclasses(GOVUKModelForm)
        if form.__module__.split(".")[0] in project  # not the classes formsets make
        and not issubclass(form._meta.model, Versioned)
    }
    assert unversioned == EDITED_WITH_ANOTHER_RECORD


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_the_second_to_save_keeps_their_typing_and_sees_the_first_change(
    page, records, social_worker, team_manager
):
    address, record = edit_page(page, records)
    sarah, tina = signed_in(social_worker), signed_in(team_manager)
    sarahs_form, tinas_form = page_form(sarah.get(address)), page_form(tina.get(address))
    name, sarahs, tinas = change_for(sarahs_form, record)
    before = history_count(record)

    assert sarah.post(address, {**sarahs_form.data(), name: sarahs}).status_code == 302
    response = tina.post(address, {**tinas_form.data(), name: tinas})

    assert response.status_code == 200
    assert STALE_RECORD_MESSAGE in error_summary(response)
    offered = page_form(response)
    assert offered.data()[name] == tinas
    assert escape(shown(record, name, sarahs)) in saved_now(response)
    assert "Sarah Wood" in saved_now(response)
    assert saved_value(record, name) == sarahs
    assert history_count(record) == before + 1

    assert tina.post(address, offered.data()).status_code == 302
    assert saved_value(record, name) == tinas
    assert record.version == 3
    assert history_count(record) == before + 2


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_a_form_sent_again_after_it_was_saved_is_refused(page, records, social_worker):
    address, record = edit_page(page, records)
    sarah = signed_in(social_worker)
    form = page_form(sarah.get(address))
    name, first, second = change_for(form, record)
    before = history_count(record)

    assert sarah.post(address, {**form.data(), name: first}).status_code == 302
    response = sarah.post(address, {**form.data(), name: second})

    assert response.status_code == 200
    assert STALE_RECORD_MESSAGE in error_summary(response)
    assert page_form(response).data()[name] == second
    assert saved_value(record, name) == first
    assert history_count(record) == before + 1


def test_a_page_altered_to_send_a_nonsense_version_is_refused(case, social_worker):
    sibling = case.child.siblings.get()
    address = reverse("cases:edit_record", args=[case.pk, "sibling", sibling.pk])
    sarah = signed_in(social_worker)
    form = page_form(sarah.get(address))

    response = sarah.post(address, {**form.data(), "name": "Jo", "version": "not a number"})

    assert response.status_code == 200
    assert "Open the record again" in error_summary(response)
    assert saved_value(sibling, "name") != "Jo"


def test_the_audit_trail_does_not_list_the_version_as_a_change(case, social_worker):
    sarah = signed_in(social_worker)
    address = reverse("cases:edit_child", args=[case.pk])
    form = page_form(sarah.get(address))

    assert sarah.post(address, {**form.data(), "first_name": "Kaylee"}).status_code == 302

    child_changes = [c for c in case_history(case) if c.action == "Changed" and c.record == "Child"]
    assert [label for label, _, _ in child_changes[0].changes] == ["First name"]


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_cannot_both_win():
    """On PostgreSQL the claim holds the row: the second waits for the first to
    commit, then finds the version gone."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks to wait on")
    sibling = SiblingFactory(child=ChildFactory(), name="Jordan")
    claimed = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                mine = Sibling.objects.get(pk=sibling.pk)
                claim_version(mine, 1)
                claimed.set()
                time.sleep(0.5)
                mine.name = "First"
                mine.save()
        finally:
            connection.close()

    def second():
        claimed.wait(5)
        started = time.monotonic()
        try:
            with transaction.atomic():
                mine = Sibling.objects.get(pk=sibling.pk)
                mine.name = "Second"
                claim_version(mine, mine.version)
                mine.save()
        except StaleRecord as conflict:
            outcome["saved now"] = conflict.current.name
        finally:
            outcome["waited"] = time.monotonic() - started
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcome["saved now"] == "First"
    assert outcome["waited"] > 0.3
    sibling.refresh_from_db()
    assert (sibling.name, sibling.version) == ("First", 2)
