"""After return home is ruled out: whether a permanence plan followed, and how
soon (the outcomes report; see reporting.outcomes)."""

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, NullIf

from cases.models import (
    CareEpisode,
    LegalStatus,
    LegalStatusCode,
    Placement,
    PlacementType,
    ReasonEpisodeCeased,
)
from reviews.models import Closure, ClosureReason, NotPursued

from .outcome_months import NEVER
from .selectors import Scope, _days

# Words in the not-pursued decision's care plan that name a permanence route.
PERMANENCE_WORDS = (
    "long-term foster",
    "long term foster",
    "special guardianship",
    "adoption",
    "placement order",
    "child arrangements order",
    "kinship care",
)
PERMANENT_ENDINGS = (
    ReasonEpisodeCeased.E11,
    ReasonEpisodeCeased.E41,
    ReasonEpisodeCeased.E45,
    ReasonEpisodeCeased.E46,
)


def _first_on_or_after(rows, column: str):
    from django.db.models import Min, Subquery

    first = rows.order_by().values("child").annotate(first=Min(column)).values("first")[:1]
    return Coalesce(Subquery(first, output_field=DateField()), Value(NEVER))


def ruled_out(scope: Scope) -> dict:
    """Children for whom return was ruled out in the period (their first such
    decision in it), whether a permanence plan followed and how soon: the plan in
    the decision itself, or the earliest later record of one (a long-term
    placement, a placement order, care ending in adoption, special guardianship or
    a child arrangements order, or a closure with a permanence plan)."""
    in_period = scope.by_case(NotPursued.objects.filter(decided_on__range=(scope.start, scope.end)))
    earlier = NotPursued.objects.filter(
        case__child=OuterRef("case__child"), decided_on__range=(scope.start, scope.end)
    ).filter(
        Q(decided_on__lt=OuterRef("decided_on"))
        | Q(decided_on=OuterRef("decided_on"), pk__lt=OuterRef("pk"))
    )
    decisions = in_period.filter(~Exists(earlier))
    named = Q()
    for words in PERMANENCE_WORDS:
        named |= Q(care_plan_now__icontains=words)
    child, decided = OuterRef("case__child"), OuterRef("decided_on")
    later = [
        _first_on_or_after(
            Placement.objects.filter(
                child=child,
                start_date__gte=decided,
                placement_type__in=[PlacementType.U1, PlacementType.U4],
            ),
            "start_date",
        ),
        _first_on_or_after(
            LegalStatus.objects.filter(
                child=child, start_date__gte=decided, code=LegalStatusCode.E1
            ),
            "start_date",
        ),
        _first_on_or_after(
            CareEpisode.objects.filter(
                child=child, end_date__gte=decided, reason_ceased__in=PERMANENT_ENDINGS
            ),
            "end_date",
        ),
        _first_on_or_after(
            Closure.objects.filter(
                case__child=child,
                closed_on__gte=decided,
                reason=ClosureReason.NOT_PURSUED_PERMANENCE,
            ).annotate(child=F("case__child")),
            "closed_on",
        ),
    ]
    never = Value(NEVER, output_field=DateField())
    at_decision = Case(When(named, then=F("decided_on")), default=never, output_field=DateField())
    decisions = decisions.annotate(plan_on=NullIf(Least(at_decision, *later), never))
    figures = decisions.aggregate(
        total=Count("case__child", distinct=True),
        with_plan=Count("case__child", distinct=True, filter=Q(plan_on__isnull=False)),
        in_decision=Count("case__child", distinct=True, filter=named),
        average=Avg(
            ExpressionWrapper(F("plan_on") - F("decided_on"), output_field=DurationField()),
            filter=Q(plan_on__isnull=False),
        ),
    )
    return {
        "total": figures["total"],
        "with_permanence_plan": figures["with_plan"],
        "in_the_decision": figures["in_decision"],
        "average_days_to_plan": _days(figures["average"]),
        "without_plan": figures["total"] - figures["with_plan"],
    }
