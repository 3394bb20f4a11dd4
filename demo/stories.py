"""The demo's story data: who works here, and where each demo child's case has got
to. Plain values only; demo.driver plays each story through the product's own
services with the clock moved, so every record is one the product allowed.

Children, carers and family members are invented; NHS numbers use the 999 range,
which is never issued to patients.
"""

from dataclasses import dataclass

from cases.models import Role, Stage

DEMO_PASSWORD = "demo-password-2026"
DEFAULT_SEED = 2026

SERVICE_AREA = "Children in Care and Reunification"
NORTH_TEAM = "North Family Support"
SOUTH_TEAM = "South Family Support"

# Demo children are LA-100001 upwards; scale children (demo.scale) LA-200001 upwards.
DEMO_FIRST_NUMBER = 100001


@dataclass(frozen=True)
class DemoUser:
    """One demo person. `role` None holds no role in any case; `admin` makes them
    staff and superuser of the Django admin (users, teams and roles only)."""

    username: str
    first_name: str
    last_name: str
    role: str | None
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
    DemoUser("performance", "Tom", "Bennett", Role.PERFORMANCE),
    # The system administrator manages users, teams and roles in the admin and
    # holds no role, so sees no case: the admin holds nothing about a child.
    DemoUser("sysadmin", "Sam", "Okafor", None, admin=True),
)


@dataclass(frozen=True)
class Story:
    """One demo child: the stage their case has reached and how far into it.

    `progress` says how far through its present stage the case has got (what it
    means depends on the stage: see demo.driver); `care_order` puts the child on
    an interim then full care order rather than section 20; `earlier` gives the
    child an earlier case that closed when a return home broke down (this case is
    the repeat); `months` fixes how long the child has been out of home."""

    stage: str
    worker: str
    progress: int = 99  # everything the stage needs, unless a lower number says less
    care_order: bool = False
    earlier: bool = False
    iro: bool = True
    handover_from: str | None = None
    months: int | None = None
    unplanned: bool = False
    late_visit: bool = False


S = Stage
# 28 children: 27 open cases (one not pursued) and one closed after a year at home;
# two children also have an earlier case that broke down, so 30 cases in all. Four
# children have been out of home under four months, outside the guidance (two of
# them not yet with an IRO).
STORIES = (
    Story(S.IDENTIFICATION, "sw.north", progress=0, months=2, iro=False),
    Story(S.IDENTIFICATION, "sw.north2", progress=1, months=3),
    Story(S.IDENTIFICATION, "sw.south", progress=2, earlier=True),
    Story(S.IDENTIFICATION, "sw.north", progress=1),
    Story(S.IDENTIFICATION, "sw.south", progress=0, months=2, iro=False),
    Story(S.IDENTIFICATION, "sw.north2", progress=2, care_order=True),
    Story(S.ASSESSMENT, "sw.north", progress=0, months=3),
    Story(S.ASSESSMENT, "sw.north", progress=3, care_order=True, late_visit=True),
    Story(S.ASSESSMENT, "sw.north2", progress=1, handover_from="sw.north"),
    Story(S.ASSESSMENT, "sw.south", progress=4),
    Story(S.ASSESSMENT, "sw.north", progress=2, earlier=True),
    Story(S.ASSESSMENT, "sw.south", progress=3),
    Story(S.SUPPORT_PLANNING, "sw.north", progress=0, care_order=True),
    Story(S.SUPPORT_PLANNING, "sw.north2", progress=3),
    Story(S.SUPPORT_PLANNING, "sw.south", progress=5, late_visit=True),
    Story(S.SUPPORT_PLANNING, "sw.north", progress=1),
    Story(S.SUPPORT_PLANNING, "sw.north2", progress=2, handover_from="sw.north"),
    Story(S.CONFIRMATION, "sw.north", progress=3, care_order=True),
    Story(S.CONFIRMATION, "sw.south", progress=0),
    Story(S.CONFIRMATION, "sw.north2", progress=1, late_visit=True),
    Story(S.CONFIRMATION, "sw.north", progress=2),
    Story(S.RETURN_HOME, "sw.north", care_order=True),
    Story(S.RETURN_HOME, "sw.south", unplanned=True),
    Story(S.RETURN_HOME, "sw.north2", care_order=True, late_visit=True),
    Story(S.RETURN_HOME, "sw.north"),
    Story(S.RETURN_HOME, "sw.south"),
    Story(S.NOT_PURSUED, "sw.south"),
    Story(S.CLOSED, "sw.north"),
)

# -- Names and words -------------------------------------------------------------

BOYS = "Oliver Jack Harry Charlie Alfie Leo Riley Tyler Mason Kai Jayden Tobi Ayaan Jakub Omar"
GIRLS = "Olivia Amelia Isla Poppy Ella Lily Ruby Holly Mia Aaliyah Amara Maryam Zofia Layla Nia"
SURNAMES = (
    "Taylor Walker Thompson Wood Hughes Clarke Turner Cooper Ward Harrison Bell Kelly Shaw "
    "Barker Booth Holt Dawson Lowe Campbell Mensah Osei Khan Hussain Nowak Popescu Patel Reid"
)
MOTHERS = "Kelly Stacey Gemma Leanne Kirsty Danielle Sarah Lisa Jade Hayley Shanice Ioana Aisha"
FATHERS = "Lee Dean Craig Jamie Wayne Ryan Carl Scott Shane Darren Liam Dwayne Kwame Andrei"
FOSTER_CARERS = (
    "Mr and Mrs Holloway",
    "Ms Pearson",
    "Mr and Mrs Fletcher (Brightstar Fostering)",
    "Mrs Griffiths",
    "Mr and Mr Marsden",
    "Ms and Ms Atkinson (Compass Family Placements)",
)
WHY_IN_CARE = (
    "school referred persistent neglect: no food at home and many missed health appointments",
    "repeated police call-outs to domestic incidents witnessed by the children",
    "neglect while a parent was intoxicated; the children had been left alone overnight",
    "a parent was admitted to hospital and no one in the family could care",
)
ISSUES = (
    ("domestic_abuse", "History of violence between the parents, with police call-outs."),
    ("substance_misuse", "Daily alcohol use and cannabis; cocaine at weekends."),
    ("mental_ill_health", "Depression and anxiety; two admissions in three years."),
)
RISK_FACTOR_FOR_ISSUE = {
    "domestic_abuse": "domestic_abuse",
    "substance_misuse": "substance_misuse",
    "mental_ill_health": "mental_ill_health",
}
GOALS = (
    (
        "{mother} stays free of drugs and alcohol.",
        "Monthly hair-strand tests negative; weekly attendance at the recovery service.",
        "{mother}: attend every week. Social worker: arrange the testing.",
        "Drug and alcohol service.",
    ),
    (
        "{child} goes to school every day, on time.",
        "Attendance above 95% each half-term, reported by the school.",
        "{mother}: the school run. School: share the register fortnightly.",
        "",
    ),
)
BREAKDOWN = "mother resumed drinking and neighbours reported the children left alone overnight"
VISIT_NOTES = (
    "Seen at the placement; talked about family time and school. Settled.",
    "Seen alone; spoke about missing home and the plan. No concerns.",
    "Visit after school; the carer reports good sleep and better attendance.",
)
HOME_VISIT_NOTES = (
    "Seen at home with {mother}; the house was tidy and there was food in.",
    "Unannounced visit; {mother} sober and {child} ready for bed. Routine in place.",
)
RECOMMENDATIONS = (
    "Social worker to complete direct work with {child} on their wishes about home.",
    "Update the chronology and genogram before the next review.",
    "Arrange {child}'s health assessment.",
)
# Answers to the risk tool's five questions that point to each level: risk factors,
# protective factors, capacity for change, wishes, recurrence.
ANSWERS = {
    "low": ("addressed", "apparent", "able", "both_want", "unlikely"),
    "medium": ("not_all_addressed", "apparent", "able", "both_want", "some"),
    "high": ("not_being_addressed", "apparent", "unable", "ambivalent", "strong"),
}
FACTOR_STATUS = {"low": "addressed", "medium": "being_addressed", "high": "not_addressed"}

# What a Child in Care review said about reunification: pursued, or not pursued.
REUNIFICATION_AT_REVIEW = {
    False: "The plan for a return home continues.",
    True: "Not pursued for now; to be looked at again when the risk level allows.",
}
