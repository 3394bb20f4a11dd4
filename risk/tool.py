"""The NSPCC reunification risk classification tool (practice guidance, Appendix A),
as plain Python: five judgements in, a suggested level and the reasons out.

The tool informs professional judgement; it does not replace it. Each answer
points to the levels it is consistent with. The suggestion is the most serious
level that any answer points to (taking each answer at the least serious level it
allows), and every answer that does not fit the suggestion is named as a conflict,
so nothing is decided silently.
"""

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Level(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    SEVERE = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def from_code(cls, code: str) -> "Level":
        return cls[code.upper()]

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def tag_colour(self) -> str:
        """The GOV.UK tag colour the level is shown in."""
        return TAG_COLOURS[self]


TAG_COLOURS = {
    Level.LOW: "green",
    Level.MEDIUM: "yellow",
    Level.HIGH: "orange",
    Level.SEVERE: "red",
}


class Answer(StrEnum):
    """An answer: its stored value and the tool's wording."""

    def __new__(cls, value: str, label: str):
        answer = str.__new__(cls, value)
        answer._value_ = value
        answer.label = label
        return answer

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(answer.value, answer.label) for answer in cls]


class RiskLevel(Answer):
    """The levels, as stored."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    SEVERE = "severe", "Severe"


class RiskFactors(Answer):
    ADDRESSED = (
        "addressed",
        "Previous risk factors fully addressed; any other risks at a low level that can be "
        "safely managed",
    )
    NOT_ALL_ADDRESSED = "not_all_addressed", "Risk factors apparent, or not all fully addressed"
    NOT_BEING_ADDRESSED = "not_being_addressed", "Risk factors apparent and not being addressed"


class ProtectiveFactors(Answer):
    APPARENT = "apparent", "Apparent"
    NONE = "none", "No protective factors apparent"


class CapacityForChange(Answer):
    ABLE = "able", "Able to demonstrate"
    UNABLE = "unable", "Unable to demonstrate"


class WishesAboutReturn(Answer):
    BOTH_WANT = "both_want", "Parents and child both want return home"
    AMBIVALENT = "ambivalent", "Ambivalence by parent and/or child"


class Recurrence(Answer):
    UNLIKELY = "unlikely", "Unlikely"
    SOME = "some", "Some possibility"
    STRONG = "strong", "Strong possibility"
    VERY_STRONG = "very_strong", "Very strong possibility"


L, M, H, S = Level.LOW, Level.MEDIUM, Level.HIGH, Level.SEVERE

# For each judgement, the levels each answer is consistent with (Appendix A's columns).
JUDGEMENTS = {
    "risk_factors": (
        "Risk factors",
        RiskFactors,
        {
            RiskFactors.ADDRESSED: {L},
            RiskFactors.NOT_ALL_ADDRESSED: {M},
            RiskFactors.NOT_BEING_ADDRESSED: {H, S},
        },
    ),
    "protective_factors": (
        "Protective factors",
        ProtectiveFactors,
        {ProtectiveFactors.APPARENT: {L, M, H}, ProtectiveFactors.NONE: {S}},
    ),
    "capacity_for_change": (
        "Parents' sustained capacity for actual change",
        CapacityForChange,
        {CapacityForChange.ABLE: {L, M}, CapacityForChange.UNABLE: {H, S}},
    ),
    "wishes": (
        "Wishes about return home",
        WishesAboutReturn,
        {WishesAboutReturn.BOTH_WANT: {L, M}, WishesAboutReturn.AMBIVALENT: {H, S}},
    ),
    "recurrence": (
        "Likelihood abuse recurs if the child returns",
        Recurrence,
        {
            Recurrence.UNLIKELY: {L},
            Recurrence.SOME: {M},
            Recurrence.STRONG: {H},
            Recurrence.VERY_STRONG: {S},
        },
    ),
}

# What the tool says should follow at each level (its last row), in our words.
WHAT_FOLLOWS = {
    L: "Return home after preparation, with a reunification plan, agreements with the "
    "parents, support for the child and parents, and monitoring (Child in Need plan or "
    "placement with parents).",
    M: "Return home after preparation, with a reunification plan, agreements with the "
    "parents, support, services to reduce the risks and build protective factors, and "
    "regular monitoring (Child in Need or Child Protection plan, or placement with parents).",
    H: "Not yet: further intervention and evidence that the parents can engage and change "
    "are needed before a return. Keep the care order and begin concurrent planning for "
    "permanent separation.",
    S: "The child remains looked after, with legal proceedings if needed, and a plan for "
    "permanent separation within a timescale that suits the child's development, needs "
    "and wishes.",
}


# What should follow, for a child living at home (returned home, or placed with
# parents): a child at home is not "remaining" in care.
WHAT_FOLLOWS_AT_HOME = {
    L: "Keep the child at home with the reunification plan, support for the child and "
    "parents, and monitoring (Child in Need plan, or placement with parents).",
    M: "Keep the child at home only with the reunification plan, services to reduce the "
    "risks and build protective factors, and regular monitoring (Child in Need or Child "
    "Protection plan, or placement with parents).",
    H: "The child may need to come back into care. A team manager decides today whether "
    "the child can stay at home safely, with further intervention and evidence that the "
    "parents can engage and change, and concurrent planning for permanent separation.",
    S: "The child may need to come back into care now, with legal proceedings if needed. "
    "A team manager decides today; plan for permanent separation within a timescale "
    "that suits the child's development, needs and wishes.",
}

# High for a child in care who is not on a care order (section 20): there is no
# order to keep.
WHAT_FOLLOWS_HIGH_WITHOUT_ORDER = (
    "Not yet: further intervention and evidence that the parents can engage and change "
    "are needed before a return. Begin concurrent planning for permanent separation, "
    "and seek legal advice on whether proceedings are needed."
)


def what_follows(level: Level | None, *, at_home: bool = False, on_care_order: bool = True) -> str:
    """What the tool says should follow at `level`, for where the child lives and
    under what order. At home, High or Severe means the child may need to come back
    into care (and the manager decides that day); advice to keep a care order is
    given only to a child on one."""
    if level is None:
        return ""
    if at_home:
        return WHAT_FOLLOWS_AT_HOME[level]
    if level == H and not on_care_order:
        return WHAT_FOLLOWS_HIGH_WITHOUT_ORDER
    return WHAT_FOLLOWS[level]


def needs_decision_about_care(level: Level | None, *, at_home: bool) -> bool:
    """A child at home at High or Severe: the team manager must decide that day
    whether she comes back into care."""
    return at_home and level is not None and level >= H


def levels_text(levels: set[Level]) -> str:
    names = [level.label for level in sorted(levels)]
    return names[0] if len(names) == 1 else " or ".join([", ".join(names[:-1]), names[-1]])


@dataclass(frozen=True)
class Reason:
    judgement: str
    answer: str
    points_to: frozenset[Level]

    def __str__(self) -> str:
        return f"{self.judgement}: “{self.answer}” points to {levels_text(set(self.points_to))}"


@dataclass(frozen=True)
class Suggestion:
    level: Level | None
    reasons: list[Reason] = field(default_factory=list)
    conflicts: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def what_follows(self) -> str:
        return WHAT_FOLLOWS[self.level] if self.level else ""


def suggest_level(
    *,
    risk_factors: str | None,
    protective_factors: str | None,
    capacity_for_change: str | None,
    wishes: str | None,
    recurrence: str | None,
    new_risks_after: Level | None = None,
    new_risks: tuple[str, ...] = (),
) -> Suggestion:
    """Suggest a level from the five judgements, with the reasons and conflicts.
    `new_risks` names risk factors new or re-emerging since the last signed-off
    assessment, at level `new_risks_after`: from Low or Medium they move the case
    up at once (`level_after_new_risks`), and the suggestion is never below that."""
    given = {
        "risk_factors": risk_factors,
        "protective_factors": protective_factors,
        "capacity_for_change": capacity_for_change,
        "wishes": wishes,
        "recurrence": recurrence,
    }
    missing = [JUDGEMENTS[name][0] for name, answer in given.items() if not answer]
    if missing:
        return Suggestion(level=None, missing=missing)

    reasons = []
    for name, answer in given.items():
        judgement, choices, table = JUDGEMENTS[name]
        answer = choices(answer)
        reasons.append(Reason(judgement, answer.label, frozenset(table[answer])))
    if new_risks and new_risks_after in (L, M):
        moved = level_after_new_risks(
            new_risks_after,
            capacity_for_change=given["capacity_for_change"],
            protective_factors=given["protective_factors"],
        )
        reasons.append(
            Reason(
                f"New or re-emerging risk factors since {new_risks_after.label}",
                ", ".join(new_risks),
                frozenset({moved}),
            )
        )
    level = max(min(reason.points_to) for reason in reasons)
    conflicts = [reason for reason in reasons if level not in reason.points_to]
    return Suggestion(level=level, reasons=reasons, conflicts=conflicts)


def level_after_new_risks(
    current: Level, *, capacity_for_change: str, protective_factors: str
) -> Level:
    """When new risk factors emerge, or old ones re-emerge, a Low or Medium case moves
    up at once: to Medium if the parents can show capacity for change and protective
    factors are apparent; to High if they cannot but protective factors are apparent;
    to Severe (the child returns to care) if there are no protective factors. A case
    never moves down this way."""
    if protective_factors == ProtectiveFactors.NONE:
        moved = S
    elif capacity_for_change == CapacityForChange.ABLE:
        moved = M
    else:
        moved = H
    return max(current, moved)


def new_or_reemerging(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """The named risk factors (name -> status, "addressed", "being_addressed" or
    "not_addressed") that are new since the previous assessment (not named then
    and not addressed now) or re-emerging (addressed then, not now)."""
    return [
        name
        for name, status in current.items()
        if status != "addressed" and previous.get(name, "") in ("", "addressed")
    ]


def factors_disagree(risk_factors: str, statuses: list[str]) -> bool:
    """The overall answer says the risk factors are fully addressed, but a named
    risk factor is recorded as not addressed: the worker must say why."""
    return risk_factors == RiskFactors.ADDRESSED and "not_addressed" in statuses
