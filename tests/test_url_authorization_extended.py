"""The URL permission matrix (tests/test_url_authorization.py) where it was blind.

- Cases at every stage, closed ones included, each holding a record of every
  kind: every case rule is tried for everyone on each. The table says who may
  act, and a closed case takes no writes: every POST on it is refused and changes
  nothing, and no form that would post one is offered. The policy is checked
  against that table, the pages against the policy.
- What pages name: no page of the site (lists, searches, waiting list, tasks,
  reports and their downloads, team pages) names a child whose case the person
  may not see.
- People who move: a social worker moved to another team, an IRO re-allocated
  away from a case, a head of service who no longer oversees a team. Afterwards
  no page and no reminder email names a case they can no longer see.
- CSRF and signing in through the real client: signed in with a password through
  the sign-in page, forms fetched and posted with their token; without it a post
  is refused (403) and changes nothing.

The world is the main matrix's (the same people, Kayla's case in North and Liam's
in South) and a case in North, with Kayla's people, at each other stage.
"""

import datetime
import functools
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases import policy
from cases import services as case_services
from cases.models import ReunificationCase, Role, Stage, User
from reunification.clock import today
from reviews.aftercare import statutory
from reviews.deadlines.refresh import refresh
from reviews.journey import decisions as journey
from reviews.journey.selectors import decisions_waiting
from reviews.reminders.digests import digest_items, send_digests
from tests.factories import close_case_after, journey_beyond
from tests.html_forms import page_form
from tests.test_url_authorization import (
    HIDDEN,
    KINDS,
    PEOPLE,
    REFUSED,
    RULES,
    SIGNED_IN,
    browser_of,
    build_world,
    changed_tables,
    disagreements,
    expected,
    furnish,
    kept_for_the_module,
    names_in,
    north_case,
    permitted,
    table_contents,
    try_get,
    try_post,
    typed,
)

# Each case of the world besides Kayla's (North, identification) and Liam's
# (South): where the builder takes it, and whether it then closes it.
STAGES = {
    "assessment": ("Amara", "Ashdown", Stage.ASSESSMENT, False),
    "support_planning": ("Bodhi", "Bramwell", Stage.SUPPORT_PLANNING, False),
    "confirmation": ("Cerys", "Coldwell", Stage.CONFIRMATION, False),
    "return_home": ("Dario", "Dunmore", Stage.RETURN_HOME, False),
    "not_pursued": ("Elspeth", "Eastleigh", Stage.NOT_PURSUED, False),
    # Closed with a permanence plan after reunification was not pursued.
    "closed": ("Farah", "Fenwick", Stage.NOT_PURSUED, True),
    # Closed by the return home breaking down.
    "broke_down": ("Gideon", "Greaves", Stage.RETURN_HOME, True),
}
CLOSED = tuple(where for where, (*_, closes) in STAGES.items() if closes)


def build_world_at_every_stage() -> SimpleNamespace:
    w = build_world()
    people = w.people
    journey_people = SimpleNamespace(
        social_worker=people["social_worker"],
        team_manager=people["team_manager"],
        head_of_service=people["head_of_service"],
        iro=people["iro"],
        director=people["director"],
    )
    for where, (first, last, stage, closes) in STAGES.items():
        case, records = north_case(people, first, last)
        journey_beyond(case, stage, people=journey_people)
        w.cases[where] = furnish(
            case,
            records,
            social_worker=people["social_worker"],
            team_manager=people["team_manager"],
            iro=people["iro"],
            recommendation_owner=people["colleague"],
            closed=closes,
        )
        if closes:
            close_case_after(case, by=people["team_manager"])
    # As the services' listeners do once a transaction commits (here it never does).
    for built in w.cases.values():
        refresh(built.case)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from kept_for_the_module(build_world_at_every_stage, django_db_blocker)


def test_the_world_holds_a_case_at_every_stage(db, world):
    stages = {built.case.stage for built in world.cases.values()}

    assert stages == set(Stage.values)
    assert {w for w, b in world.cases.items() if b.case.stage == Stage.CLOSED} == set(CLOSED)


# Every stage ---------------------------------------------------------------------

CASE_RULES = [name for name, rule in RULES.items() if rule.scope == "case"]


def test_the_table_and_the_policy_agree_at_every_stage(db, world):
    """Who may act does not depend on the stage, only on whether the case is
    closed: then nobody posts anything, and no form that posts is offered."""
    assert not disagreements(world, wheres=list(STAGES))


def test_on_a_closed_case_the_policy_lets_nobody_write(db, world):
    """The table's "closed cases take no writes", put to the policy directly."""
    allowed = [
        (name, who, where, variant)
        for name in CASE_RULES
        if RULES[name].writes
        for where in CLOSED
        for variant, _ in RULES[name].addresses(world, where)
        for who in PEOPLE
        if permitted(RULES[name], "post", world, who, where, variant)
    ]

    assert not allowed


OPEN_STAGES = [where for where in STAGES if where not in CLOSED]


def kinds_tried(name: str, where: str):
    """The kinds of record a record page is tried for at this stage: every kind
    on a closed case (which takes none of them); on the open cases the record
    pages do not look at the stage, so the kinds are shared out between them,
    each kind tried at one of them at least (and at identification, on Kayla's,
    in the main matrix). None: every variant of other rules."""
    if not getattr(RULES[name].addresses, "by_kind", False) or where in CLOSED:
        return None
    share = OPEN_STAGES.index(where)
    return set(KINDS[share :: len(OPEN_STAGES)])


def each_person(world, attempt) -> list[str]:
    """Run `attempt(client, who)` for everyone signed in and for someone signed
    out, collecting every failure, so one test names every person it fails for."""
    problems = []
    for who in PEOPLE:
        client = browser_of(world, who)
        try:
            attempt(client, who)
        except AssertionError as failure:
            problems.append(f"{who}: {failure}")
    return problems


@pytest.mark.parametrize("where", list(STAGES))
@pytest.mark.parametrize("name", [n for n in CASE_RULES if RULES[n].get is not None])
def test_get_at_every_stage(db, world, name, where):
    variants = kinds_tried(name, where)
    problems = each_person(
        world, lambda client, who: try_get(client, world, name, who, where, variants=variants)
    )

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("where", list(STAGES))
@pytest.mark.parametrize("name", [n for n in CASE_RULES if RULES[n].post is not None])
def test_post_at_every_stage(db, world, name, where):
    """Refused: the policy's answer and nothing changed. Permitted (open cases
    only): saved, or the form shown again saying why the stage will not take it."""
    variants = kinds_tried(name, where)
    problems = each_person(
        world,
        lambda client, who: try_post(
            client, world, name, who, where, any_answer=True, variants=variants
        ),
    )

    assert not problems, "\n".join(problems)


# What the pages of the site name ---------------------------------------------------


def csv_links(client, address: str) -> list[str]:
    body = client.get(address).content.decode()
    return sorted({f"{address}?csv={key}" for key in re.findall(r"[?&]csv=([\w-]+)", body)})


def _site_addresses(world) -> tuple[str, ...]:
    addresses = []
    for name, rule in RULES.items():
        # A prepared return is one person's file, made for the test that asks for
        # it (and gone with its transaction): its own rule covers who may have it.
        if name == "reporting:ssda903_prepared":
            continue
        if rule.scope == "site" and rule.get is not None and not rule.public:
            addresses += [address for _, address in rule.addresses(world, "-")]
    addresses += [reverse("cases:team_detail", args=[team.pk]) for team in world.teams.values()]
    my_cases = reverse("cases:my_cases")
    addresses += [f"{my_cases}?scope=all", f"{my_cases}?scope=mine"]
    addresses += [f"{my_cases}?scope=all&stage={stage}" for stage in Stage.values]
    addresses += [f"{my_cases}?scope=all&team={team.pk}" for team in world.teams.values()]
    for built in world.cases.values():
        child = built.case.child
        addresses += [
            f"{my_cases}?scope=all&q={child.first_name}",
            f"{my_cases}?scope=all&q={child.local_identifier}",
        ]
    # Every table of the reports as a download, and the SSDA903 extract.
    director = Client()
    director.force_login(world.people["director"])
    for report in ("reporting:caseload", "reporting:outcomes"):
        addresses += csv_links(director, reverse(report))
        addresses.append(reverse(report) + "?refresh=1")
    start, end = today() - datetime.timedelta(days=365), today()
    extract = reverse("reporting:ssda903")
    addresses.append(
        f"{extract}?start_0={start.day}&start_1={start.month}&start_2={start.year}"
        f"&end_0={end.day}&end_1={end.month}&end_2={end.year}"
    )
    return tuple(addresses)


def site_addresses(world) -> tuple[str, ...]:
    """Every page of the whole site a person can ask for: lists, their searches
    and filters, the waiting list, tasks, team pages, reports and downloads
    (listed once for the module: the world's addresses do not change)."""
    if not hasattr(world, "site_addresses"):
        world.site_addresses = _site_addresses(world)
    return world.site_addresses


def names_on_site_pages(client, user, world, addresses, *, also=()) -> list[str]:
    """Each address that names a child whose case `user` may not see (as the
    cases stand now in the database), or one of the children named in `also`."""
    cases = ReunificationCase.objects.filter(pk__in=[b.case.pk for b in world.cases.values()])
    hidden = {
        f"{case.child.first_name} {case.child.last_name}"
        for case in cases.select_related("child")
        if not policy.may_see_case(user, case)
    }
    hidden = sorted(hidden | set(also))
    found = []
    for address in addresses:
        response = client.get(address)
        assert response.status_code in (200, 302, 403), (address, response.status_code)
        body = response.content.decode(errors="replace")
        searched = parse_qs(urlsplit(address).query).get("q")
        if searched:  # the search box shows what was typed: not a name the page gave away
            body = body.replace(f'value="{searched[0]}"', "")
        named = names_in(body, hidden)
        if named:
            found.append(f"{address} names {named}")
    return found


@pytest.mark.parametrize("who", sorted(SIGNED_IN))
def test_no_page_of_the_site_names_a_child_outside_the_persons_remit(db, world, who):
    client = Client()
    client.force_login(world.people[who])

    assert not names_on_site_pages(client, world.people[who], world, site_addresses(world))


def test_the_site_pages_do_name_the_children_a_person_may_see(db, world):
    """The check above can fail: the team manager's full caseload names every
    child of North, the director's lists and searches every child."""
    for who in ("team_manager", "director"):
        client = Client()
        client.force_login(world.people[who])
        body = client.get(reverse("cases:my_cases") + "?scope=all").content.decode()
        seen = [b.child_name for b in world.cases.values() if b.case.is_open]
        if who == "team_manager":
            seen = [n for n in seen if n != world.cases["south"].child_name]
        assert names_in(body, seen) == seen, who


# People who move ---------------------------------------------------------------------


def fresh(world, who: str) -> User:
    """The person as the database holds them now (the world's copy is shared)."""
    return User.objects.get(pk=world.people[who].pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_refs(text: str) -> set[int]:
    """The cases an email points to, by reference and by link."""
    return {int(pk) for pk in re.findall(r"\bCase (\d+)\b", text)} | {
        int(pk) for pk in re.findall(r"/cases/(\d+)/", text)
    }


def digests_for(user) -> list[str]:
    """Run the nightly digest and return the text and HTML of the user's email
    (none if they get none), in a savepoint rolled back after it."""
    mail.outbox.clear()
    with transaction.atomic():
        send_digests(today())
        transaction.set_rollback(True)
    bodies = []
    for message in mail.outbox:
        if user.email in message.to:
            bodies.append(message.subject + message.body)
            bodies += [content for content, _ in message.alternatives]
    return bodies


def what_they_are_told(world, user) -> dict:
    """Which cases the person's pages, waiting list, digest items and emails name."""
    day = today()
    return {
        "digest items": {
            int(i.url.rstrip("/").rsplit("/", 1)[-1]) for i in digest_items(user, day)
        },
        "emails": set().union(*(case_refs(body) for body in digests_for(user))),
        "waiting": {item.case.pk for item in decisions_waiting(user)},
    }


def assert_told_nothing_of(world, user, lost: list, *, client=None) -> None:
    client = client or signed_in(user)
    lost_pks = {built.case.pk for built in lost}
    told = what_they_are_told(world, user)
    for where, pks in told.items():
        assert not pks & lost_pks, f"{user} is still told in {where} of cases {pks & lost_pks}"
    for body in digests_for(user):
        assert not names_in(body, [b.child_name for b in lost])
    lost_names = [b.child_name for b in lost]
    assert not names_on_site_pages(client, user, world, site_addresses(world), also=lost_names)
    for built in lost:
        for name in ("cases:overview", "reviews:journey", "reviews:aftercare", "risk:overview"):
            response = client.get(reverse(name, args=[built.case.pk]))
            assert response.status_code == HIDDEN, (user, name, built.child_name)


def a_recommendation_due_soon(world, case, *, owner) -> None:
    """A review of the case by its IRO making a recommendation `owner` is to do
    within the week, and the case's deadlines refreshed."""
    statutory.record_review(
        case=case,
        by=world.people["iro"],
        held_on=today(),
        review_type="cic",
        chair=world.people["iro"],
        attended="Child, mother, social worker.",
        outcome="The plan continues.",
        recommendations=[
            {"text": "Life story work", "owner": owner, "due_on": today() + datetime.timedelta(3)}
        ],
    )
    refresh(case)


def approve(world, case, *steps) -> None:
    for step, who in zip(
        ("confirmed", "agreed", "ratified"),
        ("team_manager", "head_of_service", "iro"),
        strict=False,
    ):
        if step in steps:
            journey.approve_care_plan(
                case=case,
                by=world.people[who],
                step=step,
                approved_on=today(),
                cic_review_on=today() if step == "ratified" else None,
                rationale=f"Care plan {step}.",
            )


def test_a_social_worker_moved_to_another_team_is_told_nothing_of_her_old_teams_cases(db, world):
    sarah = fresh(world, "social_worker")
    north = [b for where, b in world.cases.items() if where != "south"]
    told = what_they_are_told(world, sarah)
    assert told["digest items"] & {b.case.pk for b in north}, "she had visits due before"
    assert told["emails"] & {b.case.pk for b in north}

    sarah.team = world.teams["south"]
    sarah.save(update_fields=["team"])
    sarah = fresh(world, "social_worker")

    # Still allocated to every North case: her deadlines there are still hers.
    assert all(b.case.social_worker_id == sarah.pk for b in north)
    assert_told_nothing_of(world, sarah, north)


def test_an_iro_reallocated_away_from_a_case_is_told_nothing_of_it(db, world):
    ian = fresh(world, "iro")
    kayla = world.cases["north"]
    approve(world, kayla.case, "confirmed", "agreed")
    a_recommendation_due_soon(world, kayla.case, owner=ian)
    told = what_they_are_told(world, ian)
    assert kayla.case.pk in told["waiting"], "he was to ratify Kayla's care plan"
    assert kayla.case.pk in told["digest items"], "and do the recommendation"
    assert kayla.case.pk in told["emails"]

    case_services.allocate(
        case=kayla.case,
        role=Role.IRO,
        user=world.people["other_iro"],
        by=world.people["team_manager"],
    )

    # Before the deadlines are refreshed (the rows still name him) and after.
    assert_told_nothing_of(world, ian, [kayla])
    refresh(kayla.case)
    assert_told_nothing_of(world, ian, [kayla])


def test_a_head_of_service_who_no_longer_oversees_a_team_is_told_nothing_of_its_cases(db, world):
    helen = fresh(world, "head_of_service")
    kayla = world.cases["north"]
    north = [b for where, b in world.cases.items() if where != "south"]
    approve(world, kayla.case, "confirmed")
    a_recommendation_due_soon(world, kayla.case, owner=helen)
    told = what_they_are_told(world, helen)
    assert kayla.case.pk in told["waiting"], "she was to agree Kayla's care plan"
    assert kayla.case.pk in told["emails"], "and do the recommendation"

    world.teams["north"].heads_of_service.remove(helen)
    helen = fresh(world, "head_of_service")

    assert all(b.case.head_of_service_id == helen.pk for b in north if b.case.is_open)
    assert_told_nothing_of(world, helen, north)


# Signing in and CSRF through the real client ---------------------------------------

PASSWORD = "a long pass phrase for the matrix"


@functools.cache
def _hashed() -> str:
    return make_password(PASSWORD)  # once: the real hasher is slow on purpose


def csrf_token(response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.content.decode())
    assert match, "the page carries no CSRF token"
    return match.group(1)


def browser_signed_in(world, who: str) -> Client:
    """A browser that enforces CSRF, signed in through the sign-in page with a
    password, as a person would."""
    User.objects.filter(pk=world.people[who].pk).update(password=_hashed())
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("login"))
    form = page_form(page).data()
    form.update(username=world.people[who].username, password=PASSWORD)
    response = browser.post(reverse("login"), form)
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    return browser


def test_signing_in_through_the_page_needs_the_pages_token(db, world):
    User.objects.filter(pk=world.people["colleague"].pk).update(password=_hashed())
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    before = table_contents()

    refused = browser.post(
        reverse("login"), {"username": world.people["colleague"].username, "password": PASSWORD}
    )

    assert refused.status_code == 403
    assert browser.get(reverse("cases:my_cases")).status_code == 302  # not signed in
    assert not changed_tables(before, table_contents())


def test_a_wrong_password_through_the_page_signs_nobody_in(db, world):
    User.objects.filter(pk=world.people["colleague"].pk).update(password=_hashed())
    browser = Client(enforce_csrf_checks=True)
    form = page_form(browser.get(reverse("login"))).data()
    form.update(username=world.people["colleague"].username, password="not it")

    response = browser.post(reverse("login"), form)

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert browser.get(reverse("cases:my_cases")).status_code == 302


# (rule, person, variant, the page whose form posts it). At least one GET and one
# POST of every kind of rule: a case's form, a record's form, a decision, a post
# with no form page of its own, a team's page, a page and a form of the whole
# site, the admin, the JavaScript keep-alive; and a person the rule refuses, on a
# case she may see (403) and one she may not (404). Signing out is below.
THROUGH_THE_BROWSER = [
    ("cases:edit_case", "social_worker", None, None),
    ("cases:edit_record", "team_manager", "chronology", None),
    ("planning:add_meeting", "social_worker", None, None),
    ("reviews:dispute", "iro", None, None),
    ("risk:submit", "social_worker", None, "risk:detail"),
    ("cases:team_detail", "team_manager", None, None),
    ("cases:new", "team_manager", None, None),
    ("cases:my_cases", "colleague", None, None),
    ("admin", "performance", None, None),
    ("keep_session_alive", "colleague", None, "cases:my_cases"),
    ("cases:edit_case", "colleague", None, "cases:overview"),
    ("cases:edit_record", "south_social_worker", "chronology", "cases:my_cases"),
]


def address_of(world, name: str, where: str, variant) -> str:
    return dict(RULES[name].addresses(world, where))[variant]


def host_page(world, name: str, host: str | None, where: str, variant) -> str:
    """The page a person opens to post the rule: its own form page, or the page
    carrying its button."""
    if host is None:
        return address_of(world, name, where, variant)
    return address_of(world, host, "-" if RULES[host].scope == "site" else where, None)


@pytest.mark.parametrize(
    ("name", "who", "variant", "host"),
    THROUGH_THE_BROWSER,
    ids=[f"{n}-{w}" for n, w, *_ in THROUGH_THE_BROWSER],
)
def test_through_a_signed_in_browser_with_csrf_checks(db, world, name, who, variant, host):
    rule = RULES[name]
    where = "-" if rule.scope == "site" else "north"
    browser = browser_signed_in(world, who)
    page_address = host_page(world, name, host, where, variant)
    page = browser.get(page_address)
    address = address_of(world, name, where, variant)

    if rule.get is not None:
        status = expected(rule, "get", world, who, where, variant, rule.get_answer)
        assert browser.get(address).status_code == status
    if rule.post is None:
        return
    token = csrf_token(page)
    if page.status_code == 200 and host is None:
        data = page_form(page).data()  # the form as the page gave it
    else:
        data = dict(world.payload(where, name, variant)) if rule.scope != "site" else {}
    if rule.fill:
        data.update(typed(rule.fill(world, where, variant)))
    data.pop("csrfmiddlewaretoken", None)
    before = table_contents()

    with transaction.atomic():
        without = browser.post(address, data)
        after_without = table_contents()
        transaction.set_rollback(True)
    with transaction.atomic():
        if name == "keep_session_alive":  # as static/js/session-timeout.js posts it
            answered = browser.post(address, HTTP_X_CSRFTOKEN=token)
        else:
            answered = browser.post(address, dict(data, csrfmiddlewaretoken=token))
        after = table_contents()
        transaction.set_rollback(True)

    assert without.status_code == REFUSED
    assert "Your form could not be sent" in without.content.decode()  # templates/403_csrf.html
    assert not changed_tables(before, after_without)
    if permitted(rule, "post", world, who, where, variant):
        answers = rule.post_answers
        assert answered.status_code in answers, answered.content.decode()[:300]
        if answered.status_code == 302 and data:
            assert changed_tables(before, after), f"the post to {address} saved nothing"
    else:
        assert answered.status_code == expected(rule, "post", world, who, where, variant, 0)
        assert answered.status_code in (REFUSED, HIDDEN)
        assert "Your form could not be sent" not in answered.content.decode()  # the token held
        assert not changed_tables(before, after)


def test_signing_out_through_the_browser_needs_the_pages_token(db, world):
    browser = browser_signed_in(world, "colleague")
    token = csrf_token(browser.get(reverse("cases:my_cases")))

    assert browser.post(reverse("logout")).status_code == REFUSED
    assert browser.get(reverse("cases:my_cases")).status_code == 200  # still signed in
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert browser.get(reverse("cases:my_cases")).status_code == 302  # signed out
