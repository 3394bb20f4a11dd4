"""Code lists used by the case record, with the Department for Education's SSDA903
codes where a statutory return uses them."""

from django.db import models

from .people import Role


class Sex(models.TextChoices):
    """SSDA903 SEX since 2024/25: M, F, or U where it is not known or not recorded."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class LegalStatusCode(models.TextChoices):
    C1 = "C1", "C1 – Interim care order"
    C2 = "C2", "C2 – Full care order"
    D1 = "D1", "D1 – Freeing order granted"
    E1 = "E1", "E1 – Placement order granted"
    J1 = "J1", "J1 – Remanded to local authority accommodation"
    L1 = "L1", "L1 – Under police protection"
    L2 = "L2", "L2 – Emergency protection order"
    V2 = "V2", "V2 – Accommodated under section 20"
    V3 = "V3", "V3 – Single short break under section 20"
    V4 = "V4", "V4 – Series of short breaks under section 20"

    @classmethod
    def care_orders(cls) -> set[str]:
        return {cls.C1, cls.C2}

    @classmethod
    def section_20(cls) -> set[str]:
        """Accommodated with the parents' agreement (Children Act 1989 s20)."""
        return {cls.V2, cls.V3, cls.V4}


class PlacementType(models.TextChoices):
    P1 = "P1", "P1 – Placed with own parent(s) or person with parental responsibility"
    U1 = "U1", "U1 – Foster placement with relative or friend, long term"
    U3 = "U3", "U3 – Foster placement with relative or friend, not long term"
    U4 = "U4", "U4 – Foster placement with other foster carer, long term"
    U6 = "U6", "U6 – Foster placement with other foster carer, not long term"
    K2 = "K2", "K2 – Children's home"
    K1 = "K1", "K1 – Secure children's home"
    R1 = "R1", "R1 – Residential care home"
    R3 = "R3", "R3 – Family centre or mother and baby unit"
    K3 = "K3", "K3 – Children's home providing care and accommodation with an Ofsted registration"
    S1 = "S1", "S1 – Residential school"
    Z11 = "Z11", "Z11 – Supported accommodation, Ofsted registered, not a care leaver's"
    Z12 = "Z12", "Z12 – Supported accommodation, Ofsted registered, care leaver's"
    Z13 = "Z13", "Z13 – Other independent or semi-independent accommodation"
    Z14 = "Z14", "Z14 – Any other placement"
    # Withdrawn from 1 April 2025; kept so that earlier placements still read.
    H5 = "H5", "H5 – Semi-independent living accommodation (to March 2025)"
    P2 = "P2", "P2 – Independent living (to March 2025)"
    Z1 = "Z1", "Z1 – Other placement (to March 2025)"

    @classmethod
    def with_family_or_friends(cls) -> set[str]:
        """Fostered by a relative or friend (family and friends carers)."""
        return {cls.U1, cls.U3}


class ReasonEpisodeCeased(models.TextChoices):
    """SSDA903 REC: why the child stopped being looked after (X1, an episode
    ending and the next beginning the same day, is worked out, never recorded)."""

    E4A = "E4A", "E4A – Returned home as part of the care planning process"
    E4B = "E4B", "E4B – Returned home not as part of the care planning process"
    E13 = "E13", "E13 – Left care to live with someone without parental responsibility"
    E11 = "E11", "E11 – Adopted, application for an adoption order unopposed"
    E12 = "E12", "E12 – Adopted, consent dispensed with by the court"
    E41 = "E41", "E41 – Child arrangements (residence) order granted"
    E45 = "E45", "E45 – Special guardianship order to former foster carers, relatives or friends"
    E46 = (
        "E46",
        "E46 – Special guardianship order to former foster carers, not relatives or friends",
    )
    E47 = "E47", "E47 – Special guardianship order to other carers, relatives or friends"
    E48 = "E48", "E48 – Special guardianship order to other carers, not relatives or friends"
    E3 = "E3", "E3 – Care taken over by another local authority"
    E17 = "E17", "E17 – Aged 18 and remained with current carers (staying put)"
    E5 = "E5", "E5 – Moved into independent living with formal support"
    E6 = "E6", "E6 – Moved into independent living without formal support"
    E7 = "E7", "E7 – Transferred to residential care funded by adult social services"
    E9 = "E9", "E9 – Sentenced to custody"
    E14 = "E14", "E14 – Accommodation on remand ended"
    E15 = "E15", "E15 – Age assessment found the child to be 18 or over"
    E16 = "E16", "E16 – Moved abroad"
    E2 = "E2", "E2 – Died"
    E8 = "E8", "E8 – Period of care ended for any other reason"


class ReasonPlaceChange(models.TextChoices):
    """SSDA903 REASON_PLACE_CHANGE: why a placement ended while care went on."""

    CARPL = "CARPL", "Change to the care plan"
    CLOSE = "CLOSE", "Provider closed or stopped providing placements"
    ALLEG = "ALLEG", "Allegation against the carer"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Carer's approval ended or changed"
    CREQB = "CREQB", "Carer requested, because of the child's behaviour"
    CREQO = "CREQO", "Carer requested, other reasons"
    CHILD = "CHILD", "The child asked to move"
    LAREQ = "LAREQ", "The council's decision (resources, location)"
    PLACE = "PLACE", "Placement moved to a permanent one"
    CUSTOD = "CUSTOD", "The child went into custody"
    OTHER = "OTHER", "Any other reason"


class PlacementProvider(models.TextChoices):
    """SSDA903 PLACE_PROVIDER."""

    PR0 = "PR0", "PR0 – Parent or person with parental responsibility"
    PR1 = "PR1", "PR1 – This council"
    PR2 = "PR2", "PR2 – Another council"
    PR3 = "PR3", "PR3 – Other public provision"
    PR4 = "PR4", "PR4 – Private provision"
    PR5 = "PR5", "PR5 – Voluntary or third sector provision"


class MissingKind(models.TextChoices):
    """SSDA903 MISSING: missing from the placement, or away without authorisation."""

    MISSING = "M", "Missing (whereabouts not known)"
    AWAY = "A", "Away from the placement without authorisation"


class SocialWorkerChangeReason(models.TextChoices):
    """SSDA903 SW_REASON: why the child's social worker changed."""

    MANAGE = "MANAGE", "Management decision"
    FCONTA = "FCONTA", "First contact with the service"
    LEFTRL = "LEFTRL", "The social worker left the role"
    ORGRST = "ORGRST", "Organisational restructure"
    TSPROC = "TSPROC", "Moved between teams as the service's process requires"
    ABSENC = "ABSENC", "The social worker's long absence"
    CHCHAN = "CHCHAN", "The child asked for a change"
    PCCHAN = "PCCHAN", "The parent or carer asked for a change"
    SWDIED = "SWDIED", "The social worker died"
    OTHERS = "OTHERS", "Any other reason"


class ReviewParticipation(models.TextChoices):
    """SSDA903 REVIEW_CODE: how the child took part in the review."""

    PN0 = "PN0", "PN0 – Under 4 at the time of the review"
    PN1 = "PN1", "PN1 – Attended and spoke for themselves"
    PN2 = "PN2", "PN2 – Attended, an advocate spoke for them"
    PN3 = "PN3", "PN3 – Attended, conveyed views symbolically"
    PN4 = "PN4", "PN4 – Attended, did not convey views"
    PN5 = "PN5", "PN5 – Did not attend, an advocate spoke for them"
    PN6 = "PN6", "PN6 – Did not attend, views sent some other way"
    PN7 = "PN7", "PN7 – Did not attend or convey views"


# The SSDA903 placement codes each collection year accepts, named by the year the
# collection ends (2026 is 2025/26). The one place the code lists change by year.
_PLACEMENTS_TO_2025 = {
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5",
    "S1", "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
}  # fmt: skip
PLACEMENT_CODES_BY_YEAR = {
    2025: frozenset(_PLACEMENTS_TO_2025),
    2026: frozenset(_PLACEMENTS_TO_2025 - {"H5", "P2", "Z1"} | {"K3", "Z11", "Z12", "Z13", "Z14"}),
}
# Placements with no PLACE_PROVIDER: lodgings, supported and independent
# accommodation and the temporary codes.
PLACEMENTS_WITHOUT_PROVIDER = frozenset({"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"})
SEX_CODES_BY_YEAR = {2025: frozenset({"M", "F", "U"}), 2026: frozenset({"M", "F", "U"})}


def collection_year(day) -> int:
    """The SSDA903 collection year a day falls in, named by the year it ends."""
    return day.year + 1 if day.month >= 4 else day.year


def placement_codes(year: int) -> frozenset[str]:
    """The placement codes accepted in a collection year (the latest list for later years)."""
    known = max(y for y in PLACEMENT_CODES_BY_YEAR if y <= year) if year >= 2025 else 2025
    return PLACEMENT_CODES_BY_YEAR[known]


class CategoryOfNeed(models.TextChoices):
    N1 = "N1", "N1 – Abuse or neglect"
    N2 = "N2", "N2 – Child's disability"
    N3 = "N3", "N3 – Parental illness or disability"
    N4 = "N4", "N4 – Family in acute stress"
    N5 = "N5", "N5 – Family dysfunction"
    N6 = "N6", "N6 – Socially unacceptable behaviour"
    N7 = "N7", "N7 – Low income"
    N8 = "N8", "N8 – Absent parenting"


class AbuseCategory(models.TextChoices):
    NONE = "", "Not applicable"
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    MULTIPLE = "multiple", "Multiple categories"


class ParentalIssueKind(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse (alcohol or drugs)"
    MENTAL_ILL_HEALTH = "mental_ill_health", "Mental ill health"
    LEARNING_DIFFICULTY = "learning_difficulty", "Learning difficulty"
    DISABILITY = "disability", "Disability"
    ILLNESS = "illness", "Illness"


class TreatmentUptake(models.TextChoices):
    NOT_OFFERED = "not_offered", "Not offered"
    OFFERED_DECLINED = "declined", "Offered and declined"
    OFFERED_WAITING = "waiting", "Offered, not yet started"
    ENGAGING = "engaging", "Taken up and engaging"
    DISENGAGED = "disengaged", "Taken up, then disengaged"
    COMPLETED = "completed", "Completed"


class PoliceCheckOutcome(models.TextChoices):
    PENDING = "", "Not yet returned"
    NO_TRACE = "no_trace", "No trace"
    INFORMATION_DISCLOSED = "disclosed", "Information disclosed"


class CarePlanStep(models.TextChoices):
    """The three approvals of the reunification care plan, in the order they are given."""

    CONFIRMED = "confirmed", "Confirmed by the team manager"
    AGREED = "agreed", "Agreed by the head of service"
    RATIFIED = "ratified", "Ratified at a Child in Care review chaired by the IRO"


# Who gives each approval (the role held on the case), in order: the team manager
# confirms, the head of service agrees, the IRO ratifies at a Child in Care review.
CARE_PLAN_APPROVER = {
    CarePlanStep.CONFIRMED: Role.TEAM_MANAGER,
    CarePlanStep.AGREED: Role.HEAD_OF_SERVICE,
    CarePlanStep.RATIFIED: Role.IRO,
}
CARE_PLAN_ORDER = list(CARE_PLAN_APPROVER)


def next_care_plan_step(done) -> str | None:
    """The approval whose turn it is, given the steps already recorded."""
    for step in CARE_PLAN_ORDER:
        if step not in done:
            return step
    return None


def care_plan_step_before(step: str) -> str | None:
    index = CARE_PLAN_ORDER.index(step)
    return CARE_PLAN_ORDER[index - 1] if index else None
