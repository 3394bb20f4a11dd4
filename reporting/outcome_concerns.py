"""Concerns after a return home (a referral, an incident, a new risk), counted by
the child: of the children who returned home in the period, how many had a
concern recorded on that case on or after the day they went home, and of which
kind. A child with two returns, or several concerns, is one child."""

from django.db.models import Count, Exists, OuterRef, Q

from reviews.models import ConcernAfterReturn, ConcernKind, ReturnHome

from .selectors import Scope


def concerns_after_return(scope: Scope) -> dict:
    returns = scope.by_case(ReturnHome.objects.filter(returned_on__range=(scope.start, scope.end)))
    concerns = ConcernAfterReturn.objects.filter(
        case=OuterRef("case"), occurred_on__gte=OuterRef("returned_on")
    )
    child = "case__child"
    figures = returns.aggregate(
        children=Count(child, distinct=True),
        with_concern=Count(child, distinct=True, filter=Q(Exists(concerns))),
        **{
            kind: Count(child, distinct=True, filter=Q(Exists(concerns.filter(kind=kind))))
            for kind in ConcernKind.values
        },
    )
    return {
        "children": figures["children"],
        "with_concern": figures["with_concern"],
        "by_kind": [(label, figures[kind]) for kind, label in ConcernKind.choices],
    }
