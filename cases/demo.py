"""Demo data: a named user for every role and realistic reunification cases.

`manage.py seed_demo` calls `seed()`. Cases are written in one of two ways:

- the default demo set (about 30 cases) goes through `services.open_case`,
  `services.allocate` and `services.add_chronology_entry`, so allocations, the
  chronology and simple_history look as they would after real use;
- `--cases N` writes N more cases with `bulk_create` in batches, for scale tests.

Both are drawn from the same generator, seeded so a run can be repeated, and every
date is counted back from `reunification.clock.today()`, so the demo always looks
current. Children, carers and family members are invented; NHS numbers use the
999 range, which is never issued to patients.
"""

import datetime
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from reunification.clock import now, today

from . import rules, services
from .dates import add_months, age_on
from .models import (
    AbuseCategory,
    Allocation,
    CareEpisode,
    CategoryOfNeed,
    Child,
    ChronologyEntry,
    ChronologyKind,
    Ethnicity,
    FamilyMember,
    LegalStatus,
    LegalStatusCode,
    MissingEpisode,
    ParentalIssue,
    ParentalIssueKind,
    Placement,
    PlacementType,
    PoliceCheck,
    PoliceCheckOutcome,
    PreviousReturn,
    ReasonEpisodeCeased,
    ReunificationCase,
    Role,
    RoleGrant,
    ServiceArea,
    Sex,
    Sibling,
    Stage,
    Team,
    TreatmentUptake,
    User,
)

DEMO_PASSWORD = "demo-password-2026"

# Apps built on cases add their own demo records to the default demo cases by
# registering a function here from their own `demo` module (seed_demo imports
# every app's `demo` module first). Each takes the new cases and the day, and
# returns lines for the report.
EXTENSIONS: list = []


def register_extension(extend):
    EXTENSIONS.append(extend)
    return extend


DEFAULT_SEED = 2026

SERVICE_AREA = "Children in Care and Reunification"
NORTH_TEAM = "North Family Support"
SOUTH_TEAM = "South Family Support"
SCALE_SERVICE_AREA = "Locality Family Support"

# Demo children are LA-100001 upwards; scale children LA-200001 upwards.
DEMO_FIRST_NUMBER = 100001
SCALE_FIRST_NUMBER = 200001
SCALE_LAST_NUMBER = 999999

# Open cases a social worker carries, and an IRO reviews.
SOCIAL_WORKER_CASELOAD = (18, 25)
IRO_CASELOAD = (50, 70)
SOCIAL_WORKERS_PER_TEAM = 6
TEAMS_PER_HEAD_OF_SERVICE = 6

# Children written per transaction when writing in bulk.
CHILDREN_PER_BATCH = 1000

DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    team: str | None = None
    admin: bool = False


DEMO_USERS = (
    DemoUser("sw.north", "Emma", "Whitfield", Role.SOCIAL_WORKER, NORTH_TEAM),
    DemoUser("sw.north2", "Daniel", "Okonjo", Role.SOCIAL_WORKER, NORTH_TEAM),
    DemoUser("sw.south", "Priya", "Sharma", Role.SOCIAL_WORKER, SOUTH_TEAM),
    DemoUser("tm.north", "Joanne", "Pickering", Role.TEAM_MANAGER, NORTH_TEAM),
    DemoUser("tm.south", "Marcus", "Reid", Role.TEAM_MANAGER, SOUTH_TEAM),
    DemoUser("hos", "Catherine", "Doyle", Role.HEAD_OF_SERVICE),
    DemoUser("iro", "Gareth", "Lloyd", Role.IRO),
    DemoUser("director", "Amanda", "Ashworth", Role.SERVICE_DIRECTOR),
    DemoUser("performance", "Tom", "Bennett", Role.PERFORMANCE, admin=True),
)


@dataclass(frozen=True)
class DemoCase:
    """One case in the default demo set."""

    stage: str
    social_worker: str
    months_in_care: int | None = None
    earlier_case: bool = False
    iro: bool = True
    handed_over_from: str | None = None


S = Stage
# 27 open cases (one where reunification was not pursued) and one closed after six
# months' support at home, for 28 children; two of the children also have an earlier
# case that closed when their return home broke down: 30 cases in all. Three
# children have been out of home under four months, outside the guidance.
DEMO_CASES = (
    DemoCase(S.IDENTIFICATION, "sw.north", months_in_care=2, iro=False),
    DemoCase(S.IDENTIFICATION, "sw.north2", months_in_care=3),
    DemoCase(S.IDENTIFICATION, "sw.south", earlier_case=True),
    DemoCase(S.IDENTIFICATION, "sw.north"),
    DemoCase(S.IDENTIFICATION, "sw.south", iro=False),
    DemoCase(S.IDENTIFICATION, "sw.north2"),
    DemoCase(S.ASSESSMENT, "sw.north", months_in_care=3),
    DemoCase(S.ASSESSMENT, "sw.north"),
    DemoCase(S.ASSESSMENT, "sw.north2", handed_over_from="sw.north"),
    DemoCase(S.ASSESSMENT, "sw.south"),
    DemoCase(S.ASSESSMENT, "sw.north", earlier_case=True),
    DemoCase(S.ASSESSMENT, "sw.south"),
    DemoCase(S.SUPPORT_PLANNING, "sw.north"),
    DemoCase(S.SUPPORT_PLANNING, "sw.north2"),
    DemoCase(S.SUPPORT_PLANNING, "sw.south"),
    DemoCase(S.SUPPORT_PLANNING, "sw.north"),
    DemoCase(S.SUPPORT_PLANNING, "sw.north2", handed_over_from="sw.north"),
    DemoCase(S.CONFIRMATION, "sw.north"),
    DemoCase(S.CONFIRMATION, "sw.south"),
    DemoCase(S.CONFIRMATION, "sw.north2"),
    DemoCase(S.CONFIRMATION, "sw.north"),
    DemoCase(S.RETURN_HOME, "sw.north"),
    DemoCase(S.RETURN_HOME, "sw.south"),
    DemoCase(S.RETURN_HOME, "sw.north2"),
    DemoCase(S.RETURN_HOME, "sw.north"),
    DemoCase(S.RETURN_HOME, "sw.south"),
    DemoCase(S.NOT_PURSUED, "sw.south"),
    DemoCase(S.CLOSED, "sw.north"),
)

OPEN_STAGES = (
    S.IDENTIFICATION,
    S.ASSESSMENT,
    S.SUPPORT_PLANNING,
    S.CONFIRMATION,
    S.RETURN_HOME,
)
# Earliest months out of home for a case to have reached a stage by today.
MIN_MONTHS_IN_CARE = {
    S.IDENTIFICATION: 5,
    S.ASSESSMENT: 5,
    S.SUPPORT_PLANNING: 6,
    S.CONFIRMATION: 8,
    S.RETURN_HOME: 9,
    S.NOT_PURSUED: 7,
    S.CLOSED: 20,
}
# Days spent so far in the present stage.
DAYS_IN_STAGE = {
    S.IDENTIFICATION: (5, 120),
    S.ASSESSMENT: (10, 130),
    S.SUPPORT_PLANNING: (14, 160),
    S.CONFIRMATION: (5, 60),
    S.RETURN_HOME: (7, 330),
    S.NOT_PURSUED: (14, 240),
}
# How long each stage usually lasts, relative to the others.
STAGE_WEIGHT = {
    S.IDENTIFICATION: 1,
    S.ASSESSMENT: 2,
    S.SUPPORT_PLANNING: 3,
    S.CONFIRMATION: 1,
    S.RETURN_HOME: 6,
}
SCALE_STAGE_WEIGHTS = {
    S.IDENTIFICATION: 14,
    S.ASSESSMENT: 18,
    S.SUPPORT_PLANNING: 19,
    S.CONFIRMATION: 10,
    S.RETURN_HOME: 21,
    S.NOT_PURSUED: 6,
    S.CLOSED: 12,
}

# -- Names ---------------------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    boys: tuple[str, ...]
    girls: tuple[str, ...]
    surnames: tuple[str, ...]
    men: tuple[str, ...] = ()
    women: tuple[str, ...] = ()


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAMES = {
    "british": NamePool(
        _split(
            "Oliver Jack Harry George Charlie Alfie Freddie Thomas Archie Leo Riley Tyler "
            "Mason Logan Ethan Callum Connor Lewis Kieran Reece Noah Theo Jaxon Harley"
        ),
        _split(
            "Olivia Amelia Isla Ava Emily Poppy Ella Lily Grace Sophie Chloe Mia Evie Ruby "
            "Holly Jessica Lacey Kayleigh Paige Skye Harper Millie Darcie Willow"
        ),
        _split(
            "Smith Jones Taylor Brown Wilson Robinson Wright Walker Thompson Wood Hall Green "
            "Hughes Clarke Jackson Turner Hill Cooper Ward Harrison Morris Bell Kelly Shaw "
            "Barker Booth Parkinson Holt Dawson Riley Lowe Marshall Pearce Fisher Briggs Hartley"
        ),
        _split(
            "Lee Dean Craig Jamie Wayne Ryan Daniel Carl Scott Ashley Shane Mark Darren Liam "
            "Stuart Gavin Gary Keith Steven Paul"
        ),
        _split(
            "Kelly Stacey Gemma Leanne Kirsty Danielle Sarah Lisa Amy Jade Charlotte Hayley "
            "Rebecca Natalie Claire Tanya Christine Linda Susan Janet"
        ),
    ),
    "irish": NamePool(
        _split("Patrick Michael John Martin Tommy Francis"),
        _split("Bridget Mary Kathleen Margaret Shauna Siobhan"),
        _split("Connors Ward McDonagh Doherty Maughan Murphy Joyce Quinn"),
    ),
    "eastern_european": NamePool(
        _split("Jakub Kacper Filip Andrei Matei Lukas Dawid"),
        _split("Zofia Julia Maja Ioana Elena Emilija Natalia"),
        _split("Nowak Popescu Ionescu Dumitru Horvath Novak Lewandowski Petrov"),
    ),
    "caribbean": NamePool(
        _split("Jayden Tyrese Marcus Dwayne Jermaine Kai Malachi Isaiah"),
        _split("Shanice Aaliyah Tianna Jada Keisha Chantelle Nia Imani"),
        _split("Campbell Williams Francis Clarke Richards Thompson Grant Reid Bailey Edwards"),
    ),
    "african": NamePool(
        _split("Chidi Kwame Tobi Emmanuel Samuel Kofi David Abdi"),
        _split("Amara Adaeze Blessing Esther Favour Abena Hodan Precious"),
        _split("Adeyemi Mensah Osei Nwosu Bello Mohamed Hassan Okonkwo Boateng Abdi"),
    ),
    "pakistani": NamePool(
        _split("Muhammad Ayaan Hamza Zayan Ibrahim Yusuf Bilal"),
        _split("Maryam Zainab Aisha Hafsa Fatima Inaya Amina"),
        _split("Khan Hussain Ahmed Akhtar Iqbal Shah Butt Mahmood"),
    ),
    "bangladeshi": NamePool(
        _split("Rahim Arif Ismail Tanvir Rayan"),
        _split("Sumaiya Nusrat Tasnim Ruksana Safa"),
        _split("Miah Uddin Rahman Islam Chowdhury Ali"),
    ),
    "indian": NamePool(
        _split("Arjun Rohan Dev Harjit Aarav"),
        _split("Priya Anika Simran Kiran Diya"),
        _split("Patel Singh Sharma Gill Sandhu Mistry"),
    ),
    "chinese": NamePool(
        _split("Wei Jun Ethan Ryan"),
        _split("Mei Lily Xin Chloe"),
        _split("Chen Wong Li Zhang Lam"),
    ),
    "middle_eastern": NamePool(
        _split("Omar Ali Karwan Yousef"),
        _split("Layla Noor Rojin Sara"),
        _split("Ahmadi Karimi Mahmoud Rashid Hosseini Aziz"),
    ),
}

E = Ethnicity
# Mother's and father's name pools for each ethnicity, and how common it is among
# children in care (roughly the national picture).
ETHNICITIES = {
    E.WBRI: (("british", "british"), 62),
    E.WIRI: (("irish", "irish"), 1),
    E.WIRT: (("irish", "irish"), 1),
    E.WROM: (("eastern_european", "eastern_european"), 1),
    E.WOTH: (("eastern_european", "eastern_european"), 6),
    E.MWBC: (("british", "caribbean"), 4),
    E.MWBA: (("british", "african"), 2),
    E.MWAS: (("british", "pakistani"), 2),
    E.MOTH: (("british", "middle_eastern"), 3),
    E.AIND: (("indian", "indian"), 1),
    E.APKN: (("pakistani", "pakistani"), 3),
    E.ABAN: (("bangladeshi", "bangladeshi"), 1),
    E.AOTH: (("pakistani", "pakistani"), 1),
    E.BCRB: (("caribbean", "caribbean"), 2),
    E.BAFR: (("african", "african"), 4),
    E.BOTH: (("african", "caribbean"), 1),
    E.CHNE: (("chinese", "chinese"), 1),
    E.OOTH: (("middle_eastern", "middle_eastern"), 3),
    E.NOBT: (("british", "british"), 1),
}

FOSTER_SURNAMES = _split(
    "Holloway Pearson Fletcher Bailey Griffiths Marsden Atkinson Whitaker Coleman Adeyemi "
    "Begum Sutcliffe Kaur Hammond Lister Okoro Brennan Ainsworth Rowley Nash"
)
FOSTERING_AGENCIES = (
    "",
    "",
    "",
    " (Brightstar Fostering)",
    " (Compass Family Placements)",
    " (Horizon Foster Care)",
)
CHILDRENS_HOMES = _split("Oakfield Larchwood Brookside Hawthorn Meadowbank Willowdene Ashgrove")
FAMILY_CENTRES = ("Rosewood Parent and Baby Unit", "Hollybank Family Assessment Centre")
STAFF_FIRST_NAMES = _split(
    "Rachel Sophie Laura Hannah Naomi Funmi Aisha Claire Ruth Jasmine Victoria Gemma "
    "Andrew James Michael Samuel Tariq Owen Patrick Kwame Robert Simon Chris Adam"
)
STAFF_SURNAMES = _split(
    "Morgan Evans Price Baxter Lamb Quinn Ellis Dixon Ogunleye Chaudhry Bradley Kerr "
    "Harding Nolan Fitzgerald Lawson Mistry Barnes Forde Gill Howell Pickles Rahman"
)

# -- Stories -------------------------------------------------------------------

WHY_IN_CARE = {
    AbuseCategory.NEGLECT: (
        "school referred persistent neglect: no food at home, poor hygiene and many "
        "missed health appointments"
    ),
    AbuseCategory.PHYSICAL: (
        "a child protection medical found bruising to the face and arm that the parents "
        "could not explain"
    ),
    AbuseCategory.EMOTIONAL: (
        "repeated police call-outs to domestic incidents witnessed by the children, and "
        "a parent's threats to leave them"
    ),
    AbuseCategory.SEXUAL: (
        "a disclosure at school about an adult who visited the household; the parent "
        "did not accept it"
    ),
    AbuseCategory.MULTIPLE: (
        "neglect and a physical injury while a parent was intoxicated; the children "
        "had been left alone overnight"
    ),
    CategoryOfNeed.N3: "a parent was admitted to hospital and no one in the family could care",
    CategoryOfNeed.N4: "the family was evicted and a parent asked for help while in crisis",
    CategoryOfNeed.N5: "family relationships broke down and a parent asked for accommodation",
    CategoryOfNeed.N8: "the only carer was remanded in custody",
}

ISSUE_STORIES = {
    ParentalIssueKind.DOMESTIC_ABUSE: (
        "History of violence between the parents, with police call-outs.",
        "Police called to a domestic incident at the family home; a non-molestation "
        "order was breached.",
        "No police call-outs in six months; the Freedom Programme completed and the "
        "non-molestation order kept.",
    ),
    ParentalIssueKind.SUBSTANCE_MISUSE: (
        "Daily alcohol use and cannabis; cocaine at weekends.",
        "Relapse: positive hair-strand test for cocaine; the drug service informed.",
        "Six months abstinent, confirmed by monthly testing; attending a recovery group.",
    ),
    ParentalIssueKind.MENTAL_ILL_HEALTH: (
        "Depression and anxiety; two admissions in the last three years.",
        "Mental health deteriorated; admitted under section 2 of the Mental Health Act.",
        "Engaging with the community mental health team for six months; medication "
        "stable and a crisis plan agreed.",
    ),
    ParentalIssueKind.LEARNING_DIFFICULTY: (
        "Mild learning disability; struggles with routines and appointments.",
        "Missed three contact sessions after support worker hours were cut.",
        "Parenting course with an adapted programme completed; routines now kept with "
        "a visual planner.",
    ),
    ParentalIssueKind.DISABILITY: (
        "Physical disability limiting mobility; needs adaptations at home.",
        "Adaptations delayed; the stairs at home remain unsafe for the child.",
        "Home adapted and a personal assistant in place for six months.",
    ),
    ParentalIssueKind.ILLNESS: (
        "Long-term illness with periods in hospital.",
        "Readmitted to hospital for three weeks; contact paused.",
        "Condition stable for six months with a support network in place.",
    ),
}
ISSUE_WEIGHTS = {
    ParentalIssueKind.DOMESTIC_ABUSE: 35,
    ParentalIssueKind.SUBSTANCE_MISUSE: 35,
    ParentalIssueKind.MENTAL_ILL_HEALTH: 30,
    ParentalIssueKind.LEARNING_DIFFICULTY: 8,
    ParentalIssueKind.DISABILITY: 4,
    ParentalIssueKind.ILLNESS: 5,
}
T = TreatmentUptake
TREATMENT_WEIGHTS = {
    "early": {
        T.NOT_OFFERED: 15,
        T.OFFERED_DECLINED: 15,
        T.OFFERED_WAITING: 30,
        T.ENGAGING: 30,
        T.DISENGAGED: 10,
    },
    "planning": {
        T.NOT_OFFERED: 3,
        T.OFFERED_DECLINED: 7,
        T.OFFERED_WAITING: 10,
        T.ENGAGING: 50,
        T.DISENGAGED: 10,
        T.COMPLETED: 20,
    },
    "home": {T.ENGAGING: 40, T.COMPLETED: 50, T.DISENGAGED: 5, T.OFFERED_DECLINED: 5},
    "not_pursued": {T.NOT_OFFERED: 10, T.OFFERED_DECLINED: 30, T.ENGAGING: 20, T.DISENGAGED: 40},
    "earlier": {T.DISENGAGED: 60, T.COMPLETED: 40},
}
BREAKDOWNS = (
    "mother resumed drinking and neighbours reported the children left alone overnight",
    "police were called to a domestic incident; the former partner had moved back in",
    "mother's mental health deteriorated and she asked for the child to be accommodated",
    "the child's behaviour escalated with repeated missing episodes and the parent could "
    "not keep them safe",
    "school raised concerns about neglect: poor attendance and the child arriving hungry",
)
POLICE_DISCLOSURES = (
    "Caution for possession of cannabis, 2019.",
    "Domestic incident call-outs recorded 2021 to 2023; no charges.",
    "Conviction for common assault, 2018; 12-month community order.",
    "Drink-driving conviction, 2020.",
    "Conviction for theft from a shop, 2016.",
)
SIBLING_NOTES = {
    "at_home": "Lives with mother.",
    "placed_together": "Placed with this child; sibling contact daily.",
    "placed_elsewhere": "In a separate foster placement; sibling contact fortnightly.",
    "independent": "Lives independently; supportive of the return.",
    "other": "Lives with paternal grandmother under a special guardianship order.",
}
ROUTES = (
    (("V2",), 40),
    (("V2", "C1", "C2"), 15),
    (("C1", "C2"), 30),
    (("L1", "C1", "C2"), 8),
    (("L2", "C1", "C2"), 7),
)
# Days under a status before the next begins: police protection lasts up to 72
# hours, an emergency protection order up to eight days, care proceedings about
# 26 weeks.
STATUS_DAYS = {"V2": (30, 150), "L1": (1, 3), "L2": (7, 8), "C1": (150, 240)}


# -- Plans: plain values describing a child and their cases ---------------------


@dataclass(slots=True)
class Period:
    code: str
    start: datetime.date
    end: datetime.date | None = None
    carer: str = ""


@dataclass(slots=True)
class PoliceCheckPlan:
    requested_on: datetime.date
    returned_on: datetime.date | None
    outcome: str
    notes: str = ""


@dataclass(slots=True)
class MemberPlan:
    name: str
    relationship: str
    date_of_birth: datetime.date | None
    age_when_recorded: int | None
    lives_in_household: bool = False
    regular_visitor: bool = False
    extended_family: bool = False
    has_parental_responsibility: bool = False
    checks: list[PoliceCheckPlan] = field(default_factory=list)


@dataclass(slots=True)
class IssuePlan:
    kind: str
    parent: int | None  # index into the case's members
    description: str
    treatment: str


@dataclass(slots=True)
class EventPlan:
    occurred_on: datetime.date
    kind: str
    description: str
    source: str = ""
    by_manager: bool = False


@dataclass(slots=True)
class CasePlan:
    stage: str
    opened_on: datetime.date
    stage_entered_on: datetime.date
    closed_on: datetime.date | None
    became_looked_after_on: datetime.date
    first_considered_on: datetime.date
    category_of_need: str
    abuse_category: str
    reason_for_care_notes: str
    recorded_on: datetime.date
    members: list[MemberPlan]
    issues: list[IssuePlan]
    events: list[EventPlan]
    handed_over_on: datetime.date | None = None


@dataclass(slots=True)
class ChildPlan:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    sex: str
    ethnicity: str
    local_identifier: str
    nhs_number: str
    legal_statuses: list[Period]
    placements: list[Period]
    care_episodes: list[tuple[datetime.date, datetime.date, str, str]]
    previous_returns: list[tuple[datetime.date, datetime.date, str]]
    missing_episodes: list[tuple[datetime.date, datetime.date, str]]
    siblings: list[tuple[str, datetime.date, str, str]]
    cases: list[CasePlan]  # oldest first; all but the last are closed


@dataclass(slots=True)
class Family:
    pool: str  # where the family's first names are drawn from
    surname: str
    mother: tuple[str, datetime.date] | None
    father: tuple[str, datetime.date] | None
    father_at_home: bool
    partner: tuple[str, int] | None
    grandparent: tuple[str, str, datetime.date] | None
    visitor: tuple[str, str, int] | None
    older_sibling: tuple[str, datetime.date, str] | None  # name, born, sex


@dataclass(slots=True)
class Timeline:
    opened_on: datetime.date
    stage_starts: list[tuple[str, datetime.date]]
    stage_entered_on: datetime.date
    closed_on: datetime.date | None
    returned_on: datetime.date | None


def nhs_number_for(number: int) -> str:
    """A valid NHS number in the 999 range, unique to `number`, or "" when the
    check digit would be 10 (such numbers are never issued)."""
    stem = f"999{number % 1_000_000:06d}"
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return ""
    return stem + str(0 if check == 11 else check)


def _fmt(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class Generator:
    """Draws plans for children and their cases from a seeded Random. Every date
    lies on or before `on` (today), and every period fits the database's rules:
    a child's placements, and legal statuses, follow one another without overlap."""

    def __init__(self, rng: random.Random, on: datetime.date):
        self.rng = rng
        self.today = on

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def first_name(self, pool: str, sex: str, adult: bool = False) -> str:
        names = NAMES[pool]
        if adult and names.men:
            return self.rng.choice(names.men if sex == Sex.MALE else names.women)
        return self.rng.choice(names.boys if sex == Sex.MALE else names.girls)

    def surname(self, pool: str) -> str:
        return self.rng.choice(NAMES[pool].surnames)

    def anyone(self, pool: str = "british") -> str:
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        return f"{self.first_name(pool, sex, adult=True)} {self.surname(pool)}"

    # -- the child ----------------------------------------------------------

    def child(
        self,
        number: int,
        stage: str,
        *,
        months_in_care: int | None = None,
        earlier_case: bool = False,
        handover: bool | None = None,
    ) -> ChildPlan:
        r, on = self.rng, self.today
        months = months_in_care or r.randint(MIN_MONTHS_IN_CARE[stage], 29)
        became_looked_after = add_months(on, -months) - self.days(0, 25)
        # Born before coming into care and, for an earlier return home, old enough
        # to have had an earlier episode in care and some time at home.
        age = r.randint(max(1, months // 12 + (4 if earlier_case else 1)), 16)
        born = add_months(on, -12 * age) - self.days(1, 300)
        ethnicity = self.weighted({code: weight for code, (_, weight) in ETHNICITIES.items()})
        pools = ETHNICITIES[ethnicity][0]
        sex = r.choice((Sex.MALE, Sex.FEMALE))
        family = self.family(pools, born, age)
        plan = ChildPlan(
            first_name=self.first_name(r.choice(pools), sex),
            last_name=family.surname,
            date_of_birth=born,
            sex=sex,
            ethnicity=ethnicity,
            local_identifier=f"LA-{number:06d}",
            nhs_number=nhs_number_for(number) if r.random() < 0.65 else "",
            legal_statuses=[],
            placements=[],
            care_episodes=[],
            previous_returns=[],
            missing_episodes=[],
            siblings=[],
            cases=[],
        )
        timeline = self.timeline(became_looked_after, stage)
        breakdown = None
        if earlier_case or r.random() < 0.15:
            breakdown = self.earlier_episode(plan, family, became_looked_after, earlier_case)
        self.care_history(plan, family, became_looked_after, timeline)
        self.siblings(plan, family)
        case = self.case(plan, family, became_looked_after, timeline, stage, breakdown)
        end = case.closed_on or on
        if (handover if handover is not None else r.random() < 0.2) and (
            end - case.opened_on
        ).days > 60:
            case.handed_over_on = case.opened_on + self.days(30, (end - case.opened_on).days - 1)
        plan.cases.append(case)
        return plan

    def family(self, pools: tuple[str, str], born: datetime.date, age: int) -> Family:
        r, on = self.rng, self.today
        mother_pool, father_pool = pools
        mother_surname = self.surname(mother_pool)
        father_surname = self.surname(father_pool) if r.random() < 0.6 else mother_surname
        older_sibling = None
        if age <= 14 and r.random() < 0.3:
            sex = r.choice((Sex.MALE, Sex.FEMALE))
            older_sibling = (
                f"{self.first_name(mother_pool, sex)} {mother_surname}",
                add_months(on, -12 * 17) - self.days(1, 300),
                sex,
            )
        mother_born = add_months(born, -12 * r.randint(17, 39)) - self.days(0, 330)
        if older_sibling:
            mother_born = min(mother_born, older_sibling[1] - datetime.timedelta(days=365 * 17))
        mother = None
        if r.random() < 0.93:
            name = f"{self.first_name(mother_pool, Sex.FEMALE, adult=True)} {mother_surname}"
            mother = (name, mother_born)
        father = None
        if mother is None or r.random() < 0.7:
            name = f"{self.first_name(father_pool, Sex.MALE, adult=True)} {father_surname}"
            father = (name, add_months(born, -12 * r.randint(18, 44)) - self.days(0, 330))
        father_at_home = father is not None and (mother is None or r.random() < 0.4)
        partner = None
        if mother and not father_at_home and r.random() < 0.45:
            partner = (self.anyone(), r.randint(24, 48))
        grandparent = None
        if r.random() < 0.6:
            maternal = mother is not None and r.random() < 0.7
            sex = r.choice((Sex.MALE, Sex.FEMALE))
            name = self.first_name(mother_pool if maternal else father_pool, sex, adult=True)
            side = "maternal" if maternal else "paternal"
            grandparent = (
                f"{name} {mother_surname if maternal else father_surname}",
                f"{side} {'grandfather' if sex == Sex.MALE else 'grandmother'}",
                add_months((mother or father)[1], -12 * r.randint(18, 30)) - self.days(0, 330),
            )
        visitor = None
        if r.random() < 0.35:
            relationship, sex = r.choice(
                (("family friend", None), ("maternal aunt", Sex.FEMALE), ("uncle", Sex.MALE))
            )
            sex = sex or r.choice((Sex.MALE, Sex.FEMALE))
            name = f"{self.first_name(mother_pool, sex, adult=True)} {self.surname(mother_pool)}"
            visitor = (name, relationship, r.randint(19, 60))
        return Family(
            pool=mother_pool,
            surname=father_surname if father and r.random() < 0.5 else mother_surname,
            mother=mother,
            father=father,
            father_at_home=father_at_home,
            partner=partner,
            grandparent=grandparent,
            visitor=visitor,
            older_sibling=older_sibling,
        )

    # -- dates of the case ----------------------------------------------------

    def stage_starts(self, opened: datetime.date, until: datetime.date, stages) -> list:
        """(stage, start date) for `stages`, the first on `opened`, spread over the
        days to `until` in proportion to how long each stage usually takes."""
        span = (until - opened).days
        weights = [STAGE_WEIGHT[s] * self.rng.uniform(0.6, 1.4) for s in stages]
        total = sum(weights)
        starts, done = [opened], 0.0
        for weight in weights[:-1]:
            done += weight
            proportional = opened + datetime.timedelta(days=round(span * done / total))
            starts.append(max(proportional, starts[-1] + DAY))
        return list(zip(stages, starts, strict=True))

    def timeline(self, became_looked_after, stage) -> Timeline:
        """When the case opened and entered each stage. A closed case closed after
        at least six months' support at home; reunification is not pursued from
        assessment or, less often, from confirmation."""
        on = self.today
        returned_on = closed_on = None
        if stage == S.CLOSED:
            closed_on = on - self.days(7, 150)
            earlier, last = list(OPEN_STAGES[:-1]), closed_on - self.days(183, 330)
            returned_on = last
        else:
            if stage == S.NOT_PURSUED:
                earlier = list(OPEN_STAGES[: 2 if self.rng.random() < 0.75 else 4])
            else:
                earlier = list(OPEN_STAGES[: OPEN_STAGES.index(stage)])
            room = (on - became_looked_after).days - 21 - 12 * len(earlier)
            in_stage = min(self.rng.randint(*DAYS_IN_STAGE[stage]), room)
            last = on - datetime.timedelta(days=max(0, in_stage))
            if stage == S.RETURN_HOME:
                returned_on = last
        if earlier:
            opened = became_looked_after + self.days(21, 120)
            opened = max(became_looked_after, min(opened, last - 12 * len(earlier) * DAY))
            starts = self.stage_starts(opened, last, earlier)
        else:
            opened, starts = last, []
        if returned_on:
            starts.append((S.RETURN_HOME, returned_on))
        elif stage != S.CLOSED:
            starts.append((stage, last))
        return Timeline(opened, starts, closed_on or last, closed_on, returned_on)

    # -- care history ---------------------------------------------------------

    def legal_statuses(self, start: datetime.date) -> list[Period]:
        """Statuses one after another from `start`; the last is still current."""
        route = self.weighted(dict(ROUTES))
        periods = []
        for index, code in enumerate(route):
            periods.append(Period(code, start))
            if index == len(route) - 1:
                break
            end = start + self.days(*STATUS_DAYS[code])
            if end > self.today:
                break
            periods[-1].end = start = end
        return periods

    def placement_type(self, age: int, first: bool) -> str:
        P = PlacementType
        if first and age < 1:
            return self.weighted({P.R3: 30, P.U6: 60, P.U3: 10})
        if age >= 11:
            if first:
                return self.weighted({P.U6: 50, P.K2: 35, P.U3: 15})
            return self.weighted({P.U6: 35, P.K2: 30, P.U4: 25, P.U3: 10})
        if first:
            return self.weighted({P.U6: 75, P.U3: 25})
        return self.weighted({P.U4: 45, P.U6: 35, P.U1: 10, P.U3: 10})

    def carer(self, placement_type: str, family: Family) -> str:
        r = self.rng
        if placement_type in (PlacementType.U1, PlacementType.U3):
            if family.grandparent and r.random() < 0.6:
                name, relationship, _ = family.grandparent
                return f"{relationship.capitalize()}, {name}"
            return f"Maternal aunt, {self.first_name('british', Sex.FEMALE, True)} {family.surname}"
        if placement_type == PlacementType.K2:
            return f"{r.choice(CHILDRENS_HOMES)} House children's home"
        if placement_type == PlacementType.R3:
            return r.choice(FAMILY_CENTRES)
        surname = r.choice(FOSTER_SURNAMES)
        who = r.choice(("Mr and Mrs", "Mr and Mrs", "Ms", "Mrs", "Mr and Mr", "Ms and Ms"))
        return f"{who} {surname}{r.choice(FOSTERING_AGENCIES)}"

    def placements(self, start, until, age_at_start, family) -> list[Period]:
        """Placements one after another from `start`; the last ends on `until`, or
        is current when `until` is None."""
        r = self.rng
        span = ((until or self.today) - start).days
        moves = min(r.choices((0, 1, 2, 3), weights=(40, 38, 17, 5))[0], max(0, span // 30 - 1))
        cuts = sorted(r.sample(range(14, span - 13), moves)) if moves else []
        starts = [start] + [start + datetime.timedelta(days=cut) for cut in cuts]
        periods = []
        for index, begins in enumerate(starts):
            kind = self.placement_type(age_at_start, first=index == 0)
            ends = starts[index + 1] if index + 1 < len(starts) else until
            periods.append(Period(kind, begins, ends, self.carer(kind, family)))
        return periods

    def care_history(self, plan, family, became_looked_after, timeline):
        """Legal statuses, placements and missing episodes since coming into care,
        ended as a return home ends them."""
        r, on = self.rng, self.today
        statuses = self.legal_statuses(became_looked_after)
        returned_on = timeline.returned_on
        with_parent = None
        if returned_on:
            at_return = [p for p in statuses if p.start < returned_on]
            if at_return[-1].code == LegalStatusCode.V2:
                # Accommodated under section 20: going home ends the period of care.
                statuses = at_return
                statuses[-1].end = returned_on
            else:
                # Under a care order the child stays looked after, placed with a
                # parent, until the order is discharged.
                who = "Mother" if family.mother else "Father"
                carer = f"{who}, {(family.mother or family.father)[0]}"
                with_parent = Period(PlacementType.P1, returned_on, None, carer)
                discharged = timeline.closed_on
                if discharged and statuses[-1].start < discharged:
                    statuses[-1].end = with_parent.end = discharged
        plan.legal_statuses.extend(statuses)
        age_then = age_on(plan.date_of_birth, became_looked_after)
        plan.placements.extend(self.placements(became_looked_after, returned_on, age_then, family))
        if with_parent:
            plan.placements.append(with_parent)
        age = age_on(plan.date_of_birth, on)
        if (age >= 11 and r.random() < 0.4) or r.random() < 0.05:
            away_until = returned_on or on
            for _ in range(r.randint(1, 3)):
                if (away_until - became_looked_after).days < 10:
                    break
                went = became_looked_after + self.days(3, (away_until - became_looked_after).days)
                back = min(on, went + self.days(0, 3))
                when = "the same day" if back == went else f"on {_fmt(back)}"
                notes = f"Reported missing from placement; found by police {when}."
                plan.missing_episodes.append((went, back, notes))
        plan.missing_episodes.sort()

    def earlier_episode(self, plan, family, became_looked_after, with_case):
        """An earlier period in care that ended in a return home which broke down;
        returns (date returned home, why it broke down), or None if the child is
        too young to have had one."""
        r = self.rng
        at_home, in_care = r.randint(60, 450), r.randint(150, 540)
        if (became_looked_after - plan.date_of_birth).days < at_home + in_care + 30:
            return None
        returned = became_looked_after - datetime.timedelta(days=at_home)
        began = returned - datetime.timedelta(days=in_care)
        reason = r.choice(BREAKDOWNS)
        planned = r.random() < 0.75
        plan.legal_statuses.append(Period(LegalStatusCode.V2, began, returned))
        age_then = age_on(plan.date_of_birth, began)
        plan.placements.extend(self.placements(began, returned, age_then, family))
        if planned:
            how, notes = ReasonEpisodeCeased.E4A, "Returned home to mother as planned."
        else:
            how, notes = (
                ReasonEpisodeCeased.E4B,
                "Mother withdrew consent under section 20 and took the child home.",
            )
        plan.care_episodes.append((began, returned, how, notes))
        plan.previous_returns.append((returned, became_looked_after, f"{reason.capitalize()}."))
        if with_case:
            plan.cases.append(
                self.earlier_case(plan, family, began, returned, became_looked_after, reason)
            )
        return returned, reason

    def siblings(self, plan, family):
        r = self.rng
        taken = {plan.first_name}
        if family.older_sibling:
            name, born, _ = family.older_sibling
            taken.add(name.split()[0])
            plan.siblings.append((name, born, "at_home", "Lives with mother; aged 17."))
        for _ in range(r.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]):
            born = plan.date_of_birth + self.days(400, 3000) * r.choice((-1, 1))
            if born > self.today - 60 * DAY:
                born = plan.date_of_birth - self.days(400, 1500)
            first_name = self.first_name(family.pool, r.choice((Sex.MALE, Sex.FEMALE)))
            if first_name in taken:
                continue
            taken.add(first_name)
            surname = family.surname if r.random() < 0.75 else self.surname(family.pool)
            age = age_on(born, self.today)
            if age >= 18:
                arrangement = "independent"
            elif age < 1:  # born since the child came into care
                arrangement = self.weighted({"at_home": 60, "placed_elsewhere": 40})
            else:
                arrangement = self.weighted(
                    {"at_home": 30, "placed_together": 25, "placed_elsewhere": 35, "other": 10}
                )
            name = f"{first_name} {surname}"
            plan.siblings.append((name, born, arrangement, SIBLING_NOTES[arrangement]))

    # -- the case -------------------------------------------------------------

    def case(self, plan, family, became_looked_after, timeline, stage, breakdown) -> CasePlan:
        # How far the case has gone, which decides how many police checks are back
        # and how far parents have taken up treatment.
        rank = {S.CLOSED: 5, S.NOT_PURSUED: 2}.get(stage) or OPEN_STAGES.index(stage)
        phase = "early" if rank <= 1 else "planning" if rank <= 3 else "home"
        if stage == S.NOT_PURSUED:
            phase = "not_pursued"
        recorded_on = min(self.today, timeline.opened_on + self.days(0, 20))
        members = self.members(family, recorded_on, rank)
        issues = self.issues(members, phase)
        events = self.events(
            plan,
            family,
            became_looked_after,
            timeline.stage_starts,
            issues,
            timeline.closed_on,
            breakdown,
        )
        return self.case_plan(
            plan,
            stage=stage,
            opened=timeline.opened_on,
            stage_entered_on=timeline.stage_entered_on,
            closed_on=timeline.closed_on,
            became_looked_after=became_looked_after,
            recorded_on=recorded_on,
            members=members,
            issues=issues,
            events=events,
        )

    def earlier_case(self, plan, family, began, returned, came_back, reason) -> CasePlan:
        """The case for an earlier attempt, closed after the return home (or when it
        broke down, if that came first)."""
        opened = began + self.days(30, 90)
        starts = self.stage_starts(opened, returned, list(OPEN_STAGES[:-1]))
        starts.append((S.RETURN_HOME, returned))
        closed_on = min(came_back, returned + self.days(183, 365))
        members = self.members(family, opened, rank=4, earlier=True)
        issues = self.issues(members, "earlier")
        events = self.events(plan, family, began, starts, issues, closed_on)
        if closed_on == came_back:
            events[-1] = EventPlan(
                came_back,
                ChronologyKind.SIGNIFICANT_EVENT,
                f"Return home broke down: {reason}. {plan.first_name} came back into care; "
                "case closed.",
                "Case notes",
                by_manager=True,
            )
        return self.case_plan(
            plan,
            stage=S.CLOSED,
            opened=opened,
            stage_entered_on=closed_on,
            closed_on=closed_on,
            became_looked_after=began,
            recorded_on=opened,
            members=members,
            issues=issues,
            events=events,
        )

    def case_plan(self, plan, *, became_looked_after, opened, issues, **fields) -> CasePlan:
        N = CategoryOfNeed
        need = self.weighted({N.N1: 70, N.N4: 10, N.N5: 10, N.N3: 5, N.N8: 5})
        abuse = ""
        if need == CategoryOfNeed.N1:
            A = AbuseCategory
            abuse = self.weighted(
                {A.NEGLECT: 45, A.EMOTIONAL: 20, A.PHYSICAL: 15, A.SEXUAL: 5, A.MULTIPLE: 15}
            )
        worries = ", ".join(ParentalIssueKind(i.kind).label.lower() for i in issues)
        notes = (
            f"{plan.first_name} came into care on {_fmt(became_looked_after)} after "
            f"{WHY_IN_CARE[abuse or need]}. Parental issues: {worries}."
        )
        fields["events"].sort(key=lambda event: event.occurred_on)
        return CasePlan(
            opened_on=opened,
            became_looked_after_on=became_looked_after,
            first_considered_on=max(became_looked_after, opened - self.days(0, 21)),
            category_of_need=need,
            abuse_category=abuse,
            reason_for_care_notes=notes,
            issues=issues,
            **fields,
        )

    def members(self, family, recorded_on, rank, earlier=False) -> list[MemberPlan]:
        """The household and family network, each with the police checks done so
        far: fewer asked for and returned early in the case."""
        r = self.rng
        members = []
        if family.mother:
            name, born = family.mother
            members.append(
                MemberPlan(
                    name,
                    "Mother",
                    born,
                    None,
                    lives_in_household=True,
                    has_parental_responsibility=True,
                )
            )
        if family.father:
            name, born = family.father
            known = r.random() < 0.7
            members.append(
                MemberPlan(
                    name,
                    "Father",
                    born if known else None,
                    None if known else age_on(born, recorded_on),
                    lives_in_household=family.father_at_home,
                    extended_family=not family.father_at_home and r.random() < 0.3,
                    has_parental_responsibility=family.father_at_home or r.random() < 0.6,
                )
            )
        if family.partner:
            name, age = family.partner
            members.append(
                MemberPlan(
                    name,
                    "Mother's former partner" if earlier else "Mother's partner",
                    None,
                    age,
                    lives_in_household=not earlier,
                    regular_visitor=earlier,
                )
            )
        if not earlier and family.grandparent:
            name, relationship, born = family.grandparent
            members.append(
                MemberPlan(name, relationship.capitalize(), born, None, extended_family=True)
            )
        if not earlier and family.older_sibling:
            name, born, sex = family.older_sibling
            relationship = "Brother" if sex == Sex.MALE else "Sister"
            members.append(MemberPlan(name, relationship, born, None, lives_in_household=True))
        if not earlier and family.visitor:
            name, relationship, age = family.visitor
            members.append(
                MemberPlan(name, relationship.capitalize(), None, age, regular_visitor=True)
            )
        for member in members:
            member.checks = self.police_checks(member, recorded_on, rank)
        return members

    def police_checks(self, member, recorded_on, rank) -> list[PoliceCheckPlan]:
        r, on = self.rng, self.today
        person = rules.Person(
            date_of_birth=member.date_of_birth,
            age_when_recorded=member.age_when_recorded,
            recorded_on=recorded_on,
            lives_in_household=member.lives_in_household,
            regular_visitor=member.regular_visitor,
            extended_family=member.extended_family,
        )
        if not rules.needs_police_check(person, on):
            return []
        if rank == 0 and r.random() < 0.4:
            return []  # not asked for yet
        requested = min(on, recorded_on + self.days(0, 14))
        returned = requested + self.days(7, 56)
        if r.random() < (0.45 if rank <= 1 else 0.05) or returned > on:
            return [PoliceCheckPlan(requested, None, PoliceCheckOutcome.PENDING)]
        if r.random() < (0.4 if member.relationship.startswith(("Father", "Mother's")) else 0.12):
            disclosed = r.choice(POLICE_DISCLOSURES)
            outcome = PoliceCheckOutcome.INFORMATION_DISCLOSED
            return [PoliceCheckPlan(requested, returned, outcome, disclosed)]
        return [PoliceCheckPlan(requested, returned, PoliceCheckOutcome.NO_TRACE)]

    def issues(self, members, phase) -> list[IssuePlan]:
        r = self.rng
        count = r.choices((1, 2, 3), weights=(45, 40, 15))[0]
        kinds = []
        while len(kinds) < count:
            kind = self.weighted(ISSUE_WEIGHTS)
            if kind not in kinds:
                kinds.append(kind)
        relationships = [m.relationship for m in members]
        parents = [
            index
            for index, relationship in enumerate(relationships)
            if relationship in ("Mother", "Father", "Mother's partner", "Mother's former partner")
        ]
        issues = []
        for kind in kinds:
            parent = None
            if kind == ParentalIssueKind.DOMESTIC_ABUSE:
                for who in ("Mother's former partner", "Mother's partner", "Father"):
                    if who in relationships and r.random() < 0.6:
                        parent = relationships.index(who)
                        break
            if parent is None and parents:
                parent = parents[0] if r.random() < 0.85 else r.choice(parents)
            treatment = self.weighted(TREATMENT_WEIGHTS[phase])
            issues.append(IssuePlan(kind, parent, ISSUE_STORIES[kind][0], treatment))
        return issues

    def events(
        self,
        plan,
        family,
        became_looked_after,
        starts,
        issues,
        closed_on,
        breakdown=None,
    ) -> list[EventPlan]:
        """Significant events, relapses, periods of sustained change and the
        decisions that moved the case on, for its chronology."""
        r, on = self.rng, self.today
        name = plan.first_name
        if breakdown:
            returned, reason = breakdown
            came = (
                f"Came back into care after the return home on {_fmt(returned)} broke "
                f"down: {reason}."
            )
        else:
            first = next(p for p in plan.placements if p.start >= became_looked_after)
            came = f"Came into care; placed with {first.carer}."
        events = [
            EventPlan(became_looked_after, ChronologyKind.SIGNIFICANT_EVENT, came, "Placements")
        ]
        first_review = became_looked_after + 28 * DAY
        if first_review <= on:
            events.append(
                EventPlan(
                    first_review,
                    ChronologyKind.SIGNIFICANT_EVENT,
                    "First Child in Care review, chaired by the IRO.",
                    "CiC review record",
                )
            )
        for stage, began in starts[1:]:
            with_parents = any(
                p.code == PlacementType.P1 and p.start == began for p in plan.placements
            )
            story = stage_story(stage, name, family, with_parents)
            events.append(
                EventPlan(
                    began,
                    ChronologyKind.DECISION,
                    story,
                    "Case notes",
                    by_manager=stage != S.RETURN_HOME,
                )
            )
        opened, until = starts[0][1], closed_on or on
        for issue in issues:
            relapse, change = ISSUE_STORIES[issue.kind][1:]
            if (until - opened).days > 30 and r.random() < 0.3:
                when = opened + self.days(14, (until - opened).days - 1)
                events.append(EventPlan(when, ChronologyKind.RELAPSE, relapse, "Case notes"))
            if issue.treatment in (T.ENGAGING, T.COMPLETED) and (until - opened).days > 200:
                when = until - self.days(0, 30)
                events.append(
                    EventPlan(when, ChronologyKind.SUSTAINED_CHANGE, change, "Adult services")
                )
        for went, _back, notes in plan.missing_episodes:
            if became_looked_after <= went <= until:
                events.append(
                    EventPlan(went, ChronologyKind.SIGNIFICANT_EVENT, notes, "Police notification")
                )
        if closed_on:
            story = (
                f"Case closed: {name} has been home since {_fmt(starts[-1][1])}, "
                "supported under a Child in Need plan."
            )
            events.append(
                EventPlan(closed_on, ChronologyKind.DECISION, story, "Case notes", by_manager=True)
            )
        return events


def stage_story(stage: str, name: str, family: Family, with_parents: bool = False) -> str:
    to = "mother" if family.mother else "father"
    if with_parents:
        # Under a care order the child stays looked after: no SSDA903 reason ceased.
        went_home = (
            f"{name} returned home to {to}, placed with parents under the care order "
            "with the Service Director's approval."
        )
    else:
        went_home = f"{name} returned home to {to} as planned (E4A)."
    return {
        S.ASSESSMENT: (
            "Reunification care plan confirmed with the team manager, agreed by the head "
            "of service and ratified at the CiC review."
        ),
        S.SUPPORT_PLANNING: (
            f"Viability consultation: risk medium; {name} potentially suited to return "
            "home. Management oversight recorded."
        ),
        S.CONFIRMATION: (
            "Initial programme of support completed; reunification viability meeting arranged."
        ),
        S.RETURN_HOME: went_home,
        S.NOT_PURSUED: (
            "Risk assessed as high; reunification not pursued. Outcome and rationale "
            f"explained to {name} and the family; care plan now long-term fostering, "
            "with reviews continuing."
        ),
    }[stage]


# -- People ----------------------------------------------------------------------


@dataclass(slots=True)
class CaseStaff:
    """Who holds a case: its team and the people allocated to it."""

    team: Team
    team_manager: User
    head_of_service: User
    social_worker: User
    iro: User | None
    previous_social_worker: User | None = None

    def allocations(self, first_social_worker: User) -> dict[str, User]:
        return {
            Role.SOCIAL_WORKER: first_social_worker,
            Role.TEAM_MANAGER: self.team_manager,
            Role.HEAD_OF_SERVICE: self.head_of_service,
            Role.IRO: self.iro,
        }


@dataclass
class DemoStaff:
    users: dict[str, User]
    teams: dict[str, Team]
    created: list[str]
    existing: list[str]

    def for_case(self, spec: DemoCase) -> CaseStaff:
        worker = self.users[spec.social_worker]
        manager = self.users["tm.north" if worker.team.name == NORTH_TEAM else "tm.south"]
        return CaseStaff(
            team=worker.team,
            team_manager=manager,
            head_of_service=self.users["hos"],
            social_worker=worker,
            iro=self.users["iro"] if spec.iro else None,
            previous_social_worker=self.users.get(spec.handed_over_from or ""),
        )


class PasswordHash:
    """DEMO_PASSWORD hashed once, when first needed, and shared by every demo user:
    hashing it per user would cost a second or more per thousand staff."""

    def __init__(self):
        self._hash = None

    def __str__(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash


def _new_user(username, first_name, last_name, password, team=None, admin=False) -> User:
    return User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        team=team,
        is_staff=admin,
        is_superuser=admin,
        password=str(password),
    )


@transaction.atomic
def ensure_demo_users(password: PasswordHash | None = None) -> DemoStaff:
    """The demo service area, its two teams and one user per role. Users that
    exist already are reused as they are (their passwords are not reset)."""
    password = password or PasswordHash()
    area, _ = ServiceArea.objects.get_or_create(name=SERVICE_AREA)
    teams = {
        name: Team.objects.get_or_create(name=name, defaults={"service_area": area})[0]
        for name in (NORTH_TEAM, SOUTH_TEAM)
    }
    users, created, existing = {}, [], []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).select_related("team").first()
        if user is None:
            user = _new_user(
                spec.username,
                spec.first_name,
                spec.last_name,
                password,
                team=teams.get(spec.team),
                admin=spec.admin,
            )
            user.save()
            created.append(spec.username)
        else:
            existing.append(spec.username)
        RoleGrant.objects.get_or_create(user=user, role=spec.role)
        user.__dict__.pop("roles", None)  # forget any roles read before the grant
        users[spec.username] = user
    for team in teams.values():
        team.heads_of_service.add(users["hos"])
    return DemoStaff(users=users, teams=teams, created=created, existing=existing)


@dataclass(slots=True)
class TeamStaff:
    team: Team
    manager: User
    head_of_service: User
    social_workers: list[User]


class ScaleStaff:
    """Social workers, their managers and IROs for scale data. Open cases fill
    each social worker up to a realistic caseload, the demo social workers first;
    when everyone is full, new teams are made (six social workers, a team manager,
    and a head of service for every six teams), and new IROs likewise."""

    def __init__(self, rng: random.Random, password: PasswordHash):
        self.rng = rng
        self.password = password
        self.new_teams = 0
        self.new_users = 0

    def _open_caseloads(self, field_name: str) -> Counter:
        rows = (
            ReunificationCase.objects.exclude(stage=S.CLOSED)
            .values(field_name)
            .annotate(n=Count("id"))
            .values_list(field_name, "n")
        )
        return Counter(dict(rows))

    def _teams(self) -> list[TeamStaff]:
        """Teams that can hold cases: with a team manager, a head of service
        overseeing them and at least one social worker."""
        managers, heads, workers = {}, {}, {}
        for user in User.objects.filter(
            role_grants__role=Role.TEAM_MANAGER, team__isnull=False, is_active=True
        ).order_by("username"):
            managers.setdefault(user.team_id, user)
        oversight = Team.heads_of_service.through.objects.select_related("user")
        for link in oversight.order_by("user__username"):
            heads.setdefault(link.team_id, link.user)
        demo_first = {spec.username: i for i, spec in enumerate(DEMO_USERS)}
        social_workers = User.objects.filter(
            role_grants__role=Role.SOCIAL_WORKER, team__isnull=False, is_active=True
        ).select_related("team")
        for user in sorted(
            social_workers, key=lambda u: (demo_first.get(u.username, 99), u.username)
        ):
            workers.setdefault(user.team_id, []).append(user)
        return [
            TeamStaff(people[0].team, managers[team_id], heads[team_id], people)
            for team_id, people in workers.items()
            if team_id in managers and team_id in heads
        ]

    def _create_teams(self, count: int) -> None:
        area, _ = ServiceArea.objects.get_or_create(name=SCALE_SERVICE_AREA)
        numbered = Team.objects.filter(service_area=area).count()
        heads = list(
            User.objects.filter(username__startswith="hos.", role_grants__role=Role.HEAD_OF_SERVICE)
            .annotate(teams=Count("overseen_teams"))
            .order_by("username")
        )
        head = heads[-1] if heads and heads[-1].teams < TEAMS_PER_HEAD_OF_SERVICE else None
        overseen = head.teams if head else 0
        teams = Team.objects.bulk_create(
            Team(name=f"Family Support Team {numbered + i}", service_area=area)
            for i in range(1, count + 1)
        )
        users, grants, oversight = [], [], []
        number_of_heads = len(heads)

        def staff(username, role, team=None):
            first, last = self.rng.choice(STAFF_FIRST_NAMES), self.rng.choice(STAFF_SURNAMES)
            user = _new_user(username, first, last, self.password, team=team)
            users.append(user)
            grants.append((user, role))
            return user

        for index, team in enumerate(teams, start=numbered + 1):
            if head is None or overseen >= TEAMS_PER_HEAD_OF_SERVICE:
                number_of_heads += 1
                head = staff(f"hos.{number_of_heads:02d}", Role.HEAD_OF_SERVICE)
                overseen = 0
            oversight.append((team, head))
            overseen += 1
            staff(f"tm.t{index:03d}", Role.TEAM_MANAGER, team)
            for worker in range(1, SOCIAL_WORKERS_PER_TEAM + 1):
                staff(f"sw.t{index:03d}.{worker}", Role.SOCIAL_WORKER, team)
        User.objects.bulk_create(users, batch_size=500)
        RoleGrant.objects.bulk_create(
            (RoleGrant(user=user, role=role) for user, role in grants), batch_size=500
        )
        Team.heads_of_service.through.objects.bulk_create(
            Team.heads_of_service.through(team=team, user=user) for team, user in oversight
        )
        self.new_teams += count
        self.new_users += len(users)

    def _create_iros(self, count: int) -> None:
        numbered = User.objects.filter(username__startswith="iro.").count()
        users = [
            _new_user(
                f"iro.{numbered + i:03d}",
                self.rng.choice(STAFF_FIRST_NAMES),
                self.rng.choice(STAFF_SURNAMES),
                self.password,
            )
            for i in range(1, count + 1)
        ]
        User.objects.bulk_create(users, batch_size=500)
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=Role.IRO) for user in users)
        self.new_users += count

    def social_workers(self, open_cases: int) -> list[tuple[User, TeamStaff]]:
        """One (social worker, team) slot per open case, filling caseloads."""
        while True:
            caseloads = self._open_caseloads("social_worker")
            slots = []
            for team in self._teams():
                for worker in team.social_workers:
                    room = self.rng.randint(*SOCIAL_WORKER_CASELOAD) - caseloads[worker.pk]
                    slots.extend([(worker, team)] * max(0, room))
            if len(slots) >= open_cases:
                return slots[:open_cases]
            per_team = SOCIAL_WORKERS_PER_TEAM * SOCIAL_WORKER_CASELOAD[0]
            self._create_teams(-(-(open_cases - len(slots)) // per_team))

    def iros(self, open_cases: int) -> list[User]:
        while True:
            iros = list(
                User.objects.filter(role_grants__role=Role.IRO, is_active=True).order_by("username")
            )
            caseloads = self._open_caseloads("iro")
            slots = []
            for iro in iros:
                slots.extend([iro] * max(0, self.rng.randint(*IRO_CASELOAD) - caseloads[iro.pk]))
            if len(slots) >= open_cases:
                return slots[:open_cases]
            self._create_iros(-(-(open_cases - len(slots)) // IRO_CASELOAD[0]))

    def assign(self, open_children: int, closed_children: int) -> list[CaseStaff]:
        """Staff for `open_children` children with an open case, then for
        `closed_children` whose cases are all closed."""
        with transaction.atomic():
            workers = self.social_workers(open_children)
            iros = self.iros(open_children)
        r = self.rng
        r.shuffle(workers)
        r.shuffle(iros)
        everyone = [(worker, team) for team in self._teams() for worker in team.social_workers]
        all_iros = list(User.objects.filter(role_grants__role=Role.IRO, is_active=True))
        staffing = []
        for index in range(open_children + closed_children):
            if index < open_children:
                worker, team, iro = *workers[index], iros[index]
            else:
                (worker, team), iro = r.choice(everyone), r.choice(all_iros)
            others = [c for c in team.social_workers if c.pk != worker.pk]
            staffing.append(
                CaseStaff(
                    team=team.team,
                    team_manager=team.manager,
                    head_of_service=team.head_of_service,
                    social_worker=worker,
                    iro=iro,
                    previous_social_worker=r.choice(others) if others else None,
                )
            )
        return staffing


# -- Writing ---------------------------------------------------------------------


def _child_row(plan: ChildPlan) -> Child:
    return Child(
        first_name=plan.first_name,
        last_name=plan.last_name,
        date_of_birth=plan.date_of_birth,
        sex=plan.sex,
        ethnicity=plan.ethnicity,
        local_identifier=plan.local_identifier,
        nhs_number=plan.nhs_number,
    )


def _child_records(child: Child, plan: ChildPlan) -> list:
    """Unsaved rows of the child's care history."""
    rows = [
        LegalStatus(child=child, code=p.code, start_date=p.start, end_date=p.end)
        for p in plan.legal_statuses
    ]
    rows += [
        Placement(
            child=child, placement_type=p.code, carer=p.carer, start_date=p.start, end_date=p.end
        )
        for p in plan.placements
    ]
    rows += [
        CareEpisode(child=child, start_date=s, end_date=e, reason_ceased=why, notes=notes)
        for s, e, why, notes in plan.care_episodes
    ]
    rows += [
        PreviousReturn(
            child=child,
            returned_home_on=home,
            came_back_into_care_on=back,
            reason_for_breakdown=why,
        )
        for home, back, why in plan.previous_returns
    ]
    rows += [
        MissingEpisode(child=child, start_date=s, end_date=e, notes=notes)
        for s, e, notes in plan.missing_episodes
    ]
    rows += [
        Sibling(child=child, name=name, date_of_birth=born, living_arrangement=how, notes=notes)
        for name, born, how, notes in plan.siblings
    ]
    return rows


def _case_fields(plan: CasePlan) -> dict:
    return {
        "became_looked_after_on": plan.became_looked_after_on,
        "category_of_need": plan.category_of_need,
        "abuse_category": plan.abuse_category,
        "reason_for_care_notes": plan.reason_for_care_notes,
        "reunification_first_considered_on": plan.first_considered_on,
    }


def _member_row(case, member: MemberPlan, recorded_on) -> FamilyMember:
    return FamilyMember(
        case=case,
        name=member.name,
        relationship=member.relationship,
        date_of_birth=member.date_of_birth,
        age_when_recorded=member.age_when_recorded,
        recorded_on=recorded_on,
        lives_in_household=member.lives_in_household,
        regular_visitor=member.regular_visitor,
        extended_family=member.extended_family,
        has_parental_responsibility=member.has_parental_responsibility,
    )


def _household_rows(case, plan: CasePlan, members: list[FamilyMember]) -> list:
    rows = [
        PoliceCheck(
            member=row,
            requested_on=check.requested_on,
            returned_on=check.returned_on,
            outcome=check.outcome,
            notes=check.notes,
        )
        for row, member in zip(members, plan.members, strict=True)
        for check in member.checks
    ]
    rows += [
        ParentalIssue(
            case=case,
            kind=issue.kind,
            parent=members[issue.parent] if issue.parent is not None else None,
            description=issue.description,
            treatment=issue.treatment,
        )
        for issue in plan.issues
    ]
    return rows


def _recorded_by(event: EventPlan, plan: CasePlan, staff: CaseStaff) -> User:
    """Who wrote a chronology entry: the manager for decisions, otherwise the social
    worker allocated at the time."""
    if event.by_manager:
        return staff.team_manager
    handed_over = plan.handed_over_on and staff.previous_social_worker
    if handed_over and event.occurred_on < plan.handed_over_on:
        return staff.previous_social_worker
    return staff.social_worker


def _save_as(user: User, instance, **save_kwargs) -> None:
    instance._history_user = user  # what simple_history records as who made the change
    instance.save(**save_kwargs)


def _write_through_services(plan: ChildPlan, staff: CaseStaff) -> None:
    """Write one child and their cases the way the application does, so history
    rows, allocations and automatic chronology entries are all there."""
    child = _child_row(plan)
    worker = staff.previous_social_worker or staff.social_worker
    _save_as(worker, child)
    for row in _child_records(child, plan):
        _save_as(worker, row)
    for case_plan in plan.cases:
        handed_over = case_plan.handed_over_on and staff.previous_social_worker
        first_worker = staff.previous_social_worker if handed_over else staff.social_worker
        case = services.open_case(
            child=child,
            team=staff.team,
            by=staff.team_manager,
            allocations=staff.allocations(first_worker),
            opened_on=case_plan.opened_on,
            **_case_fields(case_plan),
        )
        if handed_over:
            services.allocate(
                case=case,
                role=Role.SOCIAL_WORKER,
                user=staff.social_worker,
                by=staff.team_manager,
                on=case_plan.handed_over_on,
            )
            case.refresh_from_db()
        if case_plan.stage != S.IDENTIFICATION:
            # Stage moves are not built yet, so the demo sets the stage directly.
            case.stage = case_plan.stage
            case.stage_entered_on = case_plan.stage_entered_on
            case.closed_on = case_plan.closed_on
            fields = ["stage", "stage_entered_on", "closed_on"]
            _save_as(staff.team_manager, case, update_fields=fields)
        if case_plan.closed_on:
            for allocation in case.allocations.filter(end_date__isnull=True):
                allocation.end_date = case_plan.closed_on
                _save_as(staff.team_manager, allocation, update_fields=["end_date"])
        members = [_member_row(case, m, case_plan.recorded_on) for m in case_plan.members]
        for row in members:
            _save_as(first_worker, row)
        for row in _household_rows(case, case_plan, members):
            _save_as(first_worker, row)
        for event in case_plan.events:
            services.add_chronology_entry(
                case=case,
                by=_recorded_by(event, case_plan, staff),
                occurred_on=event.occurred_on,
                kind=event.kind,
                description=event.description,
                source=event.source,
            )


class BulkWriter:
    """Writes children and their cases with bulk_create, a few queries per batch
    whatever its size. bulk_create sends no signals, so simple_history writes no
    historical rows for these records: acceptable for scale data, which stands for
    records made long ago rather than changes anyone made here. The allocation and
    case-opened chronology entries that open_case would write are written here too."""

    BATCH_SIZE = 500

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.moment = now()
        self.zone = timezone.get_current_timezone()

    def recorded_at(self, day: datetime.date) -> datetime.datetime:
        r = self.rng
        at = datetime.time(r.randint(8, 17), r.randint(0, 59))
        moment = datetime.datetime.combine(day + r.randint(0, 2) * DAY, at, tzinfo=self.zone)
        return min(moment, self.moment)

    def entry(self, case, day, kind, description, by, source="", automatic=False):
        return ChronologyEntry(
            case=case,
            occurred_on=day,
            kind=kind,
            description=description,
            source=source,
            recorded_by=by,
            recorded_at=self.recorded_at(day),
            automatic=automatic,
        )

    def allocation_rows(self, case, plan: CasePlan, staff: CaseStaff):
        allocations, entries = [], []
        manager = staff.team_manager
        entries.append(
            self.entry(
                case,
                plan.opened_on,
                ChronologyKind.CASE_OPENED,
                "Reunification case opened at identification stage.",
                manager,
                automatic=True,
            )
        )
        handover = plan.handed_over_on if staff.previous_social_worker else None
        first_worker = staff.previous_social_worker if handover else staff.social_worker
        for role, user in staff.allocations(first_worker).items():
            if user is None:
                continue
            label = Role(role).label.lower()
            ends = handover if role == Role.SOCIAL_WORKER and handover else plan.closed_on
            allocations.append(
                Allocation(
                    case=case,
                    role=role,
                    user=user,
                    start_date=plan.opened_on,
                    end_date=ends,
                    allocated_by=manager,
                )
            )
            entries.append(
                self.entry(
                    case,
                    plan.opened_on,
                    ChronologyKind.ALLOCATION,
                    f"{user} allocated as {label}.",
                    manager,
                    automatic=True,
                )
            )
        if handover:
            allocations.append(
                Allocation(
                    case=case,
                    role=Role.SOCIAL_WORKER,
                    user=staff.social_worker,
                    start_date=handover,
                    end_date=plan.closed_on,
                    allocated_by=manager,
                )
            )
            entries.append(
                self.entry(
                    case,
                    handover,
                    ChronologyKind.ALLOCATION,
                    f"{staff.social_worker} allocated as social worker, replacing "
                    f"{staff.previous_social_worker}.",
                    manager,
                    automatic=True,
                )
            )
        return allocations, entries

    def case_row(self, child, plan: CasePlan, staff: CaseStaff, previous) -> ReunificationCase:
        return ReunificationCase(
            child=child,
            previous_case=previous,
            team=staff.team,
            social_worker=staff.social_worker,
            team_manager=staff.team_manager,
            head_of_service=staff.head_of_service,
            iro=staff.iro,
            stage=plan.stage,
            stage_entered_on=plan.stage_entered_on,
            opened_on=plan.opened_on,
            closed_on=plan.closed_on,
            **_case_fields(plan),
        )

    def write(self, batch: list[tuple[ChildPlan, CaseStaff]]) -> int:
        size = self.BATCH_SIZE
        children = Child.objects.bulk_create(
            [_child_row(plan) for plan, _ in batch], batch_size=size
        )
        history: dict[type, list] = {}
        for child, (plan, _) in zip(children, batch, strict=True):
            for row in _child_records(child, plan):
                history.setdefault(type(row), []).append(row)
        for model, rows in history.items():
            model.objects.bulk_create(rows, batch_size=size)

        # A child's cases are written oldest first, so each later case can point
        # at the one before.
        written, previous = [], {}
        for generation in range(max(len(plan.cases) for plan, _ in batch)):
            rows = []
            for child, (plan, staff) in zip(children, batch, strict=True):
                if generation < len(plan.cases):
                    case_plan = plan.cases[generation]
                    row = self.case_row(child, case_plan, staff, previous.get(child.pk))
                    rows.append((row, case_plan, staff))
                    previous[child.pk] = row
            ReunificationCase.objects.bulk_create([row for row, _, _ in rows], batch_size=size)
            written += rows

        allocations, entries, members = [], [], []
        for case, plan, staff in written:
            case_allocations, case_entries = self.allocation_rows(case, plan, staff)
            allocations += case_allocations
            entries += case_entries
            for event in plan.events:
                by = _recorded_by(event, plan, staff)
                entries.append(
                    self.entry(
                        case, event.occurred_on, event.kind, event.description, by, event.source
                    )
                )
            members.append([_member_row(case, m, plan.recorded_on) for m in plan.members])
        Allocation.objects.bulk_create(allocations, batch_size=size)
        ChronologyEntry.objects.bulk_create(entries, batch_size=size)
        FamilyMember.objects.bulk_create([row for rows in members for row in rows], batch_size=size)
        household = []
        for (case, plan, _), rows in zip(written, members, strict=True):
            household += _household_rows(case, plan, rows)
        for model in (PoliceCheck, ParentalIssue):
            rows = [row for row in household if isinstance(row, model)]
            model.objects.bulk_create(rows, batch_size=size)
        return len(written)


# -- Seeding ---------------------------------------------------------------------


@dataclass
class SeedReport:
    users_created: list[str]
    users_existing: list[str]
    demo_cases: int = 0
    demo_cases_found: int = 0
    scale_cases: int = 0
    scale_children: int = 0
    new_teams: int = 0
    new_staff: int = 0
    stages: Counter = field(default_factory=Counter)
    caseloads: dict[str, int] = field(default_factory=dict)
    extension_lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        lines = []
        if self.users_created:
            lines.append(
                f"Created demo users {', '.join(self.users_created)} (password {DEMO_PASSWORD})."
            )
        if self.users_existing:
            existing = ", ".join(self.users_existing)
            lines.append(f"Demo users already there, left as they were: {existing}.")
        if self.demo_cases_found:
            lines.append(
                f"Demo cases exist already ({self.demo_cases_found} found); not created again."
            )
        if self.demo_cases:
            lines.append(f"Created {self.demo_cases} demo cases.")
        if self.scale_cases:
            lines.append(
                f"Created {self.scale_cases} cases for {self.scale_children} children "
                f"in bulk (no history rows), with {self.new_teams} new teams and "
                f"{self.new_staff} new staff."
            )
        if self.stages:
            by_stage = ", ".join(
                f"{Stage(stage).label.split('. ')[-1].lower()} {self.stages[stage]}"
                for stage in Stage.values
                if self.stages[stage]
            )
            lines.append(f"By stage: {by_stage}.")
        if self.caseloads:
            loads = ", ".join(f"{name} {n}" for name, n in self.caseloads.items())
            lines.append(f"Open cases held: {loads}.")
        lines += self.extension_lines
        lines.append(f"Took {self.seconds:.1f}s.")
        return lines


def _stage_counts(cases) -> Counter:
    return Counter(plan.stage for child in cases for plan in child.cases)


def create_demo_cases(demo: DemoStaff, on: datetime.date, seed: int) -> Counter | None:
    """The default demo set, through the services. None if it exists already."""
    if Child.objects.filter(local_identifier=f"LA-{DEMO_FIRST_NUMBER:06d}").exists():
        return None
    generator = Generator(random.Random(seed), on)
    plans = []
    with transaction.atomic():
        for number, spec in enumerate(DEMO_CASES, start=DEMO_FIRST_NUMBER):
            plan = generator.child(
                number,
                spec.stage,
                months_in_care=spec.months_in_care,
                earlier_case=spec.earlier_case,
                handover=spec.handed_over_from is not None,
            )
            _write_through_services(plan, demo.for_case(spec))
            plans.append(plan)
    return _stage_counts(plans)


def next_scale_number() -> int:
    last = Child.objects.filter(local_identifier__regex=r"^LA-[2-9][0-9]{5}$").aggregate(
        last=Max("local_identifier")
    )["last"]
    return int(last[3:]) + 1 if last else SCALE_FIRST_NUMBER


def create_scale_cases(count: int, on: datetime.date, seed: int, password) -> tuple:
    """`count` more cases with realistic histories, written in bulk. Returns
    (stages, children, ScaleStaff)."""
    first = next_scale_number()
    rng = random.Random(f"{seed}-{first}")
    # Decide each child's stage and whether they had an earlier case first, so
    # that the staff needed can be made before any case is written.
    children = []
    remaining = count
    while remaining:
        stage = rng.choices(list(SCALE_STAGE_WEIGHTS), list(SCALE_STAGE_WEIGHTS.values()))[0]
        earlier = remaining >= 2 and rng.random() < 0.1
        children.append((stage, earlier))
        remaining -= 2 if earlier else 1
    if first + len(children) - 1 > SCALE_LAST_NUMBER:
        raise ValueError(
            f"Only {SCALE_LAST_NUMBER - first + 1} more scale children fit the local "
            "identifier range; start from an empty database."
        )
    # Open cases first: the staff list gives the first `open` children caseload slots.
    children.sort(key=lambda child: child[0] == S.CLOSED)
    open_children = sum(1 for stage, _ in children if stage != S.CLOSED)
    staff = ScaleStaff(rng, password)
    staffing = staff.assign(open_children, len(children) - open_children)
    generator = Generator(rng, on)
    writer = BulkWriter(rng)
    stages: Counter = Counter()
    order = list(range(len(children)))
    rng.shuffle(order)  # so identifiers do not run in stage order
    for start in range(0, len(order), CHILDREN_PER_BATCH):
        batch = []
        for index in order[start : start + CHILDREN_PER_BATCH]:
            stage, earlier = children[index]
            # A few children have been out of home under four months, which the
            # guidance does not cover: the case record flags them.
            recent = stage in (S.IDENTIFICATION, S.ASSESSMENT) and rng.random() < 0.08
            plan = generator.child(
                first + start + len(batch),
                stage,
                months_in_care=rng.randint(2, 3) if recent else None,
                earlier_case=earlier,
            )
            batch.append((plan, staffing[index]))
        with transaction.atomic():
            writer.write(batch)
        stages += _stage_counts(plan for plan, _ in batch)
    return stages, len(children), staff


def seed(*, cases: int | None = None, seed: int = DEFAULT_SEED) -> SeedReport:
    """Create the demo users, then either the default demo cases (if not there
    already) or `cases` more cases for scale."""
    started = time.monotonic()
    on = today()
    password = PasswordHash()
    demo = ensure_demo_users(password)
    report = SeedReport(users_created=demo.created, users_existing=demo.existing)
    if cases is None:
        stages = create_demo_cases(demo, on, seed)
        if stages is None:
            report.demo_cases_found = ReunificationCase.objects.filter(
                child__local_identifier__lt=f"LA-{SCALE_FIRST_NUMBER}",
                child__local_identifier__gte=f"LA-{DEMO_FIRST_NUMBER}",
            ).count()
        else:
            report.demo_cases = stages.total()
            report.stages = stages
            created = list(
                ReunificationCase.objects.filter(
                    child__local_identifier__lt=f"LA-{SCALE_FIRST_NUMBER}",
                    child__local_identifier__gte=f"LA-{DEMO_FIRST_NUMBER}",
                ).select_related("child", "social_worker", "team_manager", "iro")
            )
            for extend in EXTENSIONS:
                report.extension_lines += extend(created, on)
    else:
        stages, children, staff = create_scale_cases(cases, on, seed, password)
        report.scale_cases = stages.total()
        report.scale_children = children
        report.stages = stages
        report.new_teams = staff.new_teams
        report.new_staff = staff.new_users
    workers = [spec.username for spec in DEMO_USERS if spec.role == Role.SOCIAL_WORKER]
    held = Counter(
        dict(
            ReunificationCase.objects.exclude(stage=S.CLOSED)
            .filter(social_worker__username__in=workers)
            .values("social_worker__username")
            .annotate(n=Count("id"))
            .values_list("social_worker__username", "n")
        )
    )
    report.caseloads = {name: held[name] for name in workers}
    report.seconds = time.monotonic() - started
    return report
