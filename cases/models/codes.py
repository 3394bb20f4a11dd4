"""Code lists used by the case record, with the Department for Education's SSDA903
codes where a statutory return uses them."""

from django.db import models

from .people import Role


class Sex(models.TextChoices):
    MALE = "1", "Male"
    FEMALE = "2", "Female"


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
    S1 = "S1", "S1 – Residential school"
    H5 = "H5", "H5 – Semi-independent living accommodation"
    P2 = "P2", "P2 – Independent living"
    Z1 = "Z1", "Z1 – Other placement"


class ReasonEpisodeCeased(models.TextChoices):
    E4A = "E4A", "E4A – Returned home as part of the care planning process"
    E4B = "E4B", "E4B – Returned home not as part of the care planning process"
    E13 = "E13", "E13 – Left care to live with someone without parental responsibility"
    E11 = "E11", "E11 – Adopted"
    E41 = "E41", "E41 – Child arrangements order granted"
    E45 = "E45", "E45 – Special guardianship order to former foster carers"
    E46 = "E46", "E46 – Special guardianship order to other carers"
    E3 = "E3", "E3 – Care taken over by another local authority"
    E17 = "E17", "E17 – Aged 18 and remained with current carers"
    E5 = "E5", "E5 – Moved into independent living with support"
    E8 = "E8", "E8 – Period of care ended for any other reason"


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
