"""Who may see and who may change a case.

See: members of the team the case sits in (the allocated social worker's team), the
heads of service who oversee that team, the case's IRO, and service directors.
Change: the allocated social worker and the team managers of the case's team, while
the case is open.
Someone who may not see a case is told the page does not exist (404), so not even
a name leaks; someone who may see it but whose role may not take the action is told
so (403, PermissionDenied).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ReunificationCase, Role, User


def visible_cases(user: User) -> QuerySet[ReunificationCase]:
    cases = ReunificationCase.objects.all()
    if not user.is_authenticated or not user.is_active:
        return cases.none()
    if user.has_role(Role.SERVICE_DIRECTOR):
        return cases
    rule = Q(iro=user)
    if user.team_id:
        rule |= Q(team_id=user.team_id)
    if user.has_role(Role.HEAD_OF_SERVICE):
        rule |= Q(team__in=user.overseen_teams.values("pk"))
    return cases.filter(rule)


def can_view(user: User, case: ReunificationCase) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.SERVICE_DIRECTOR):
        return True
    if case.iro_id == user.pk or (user.team_id and case.team_id == user.team_id):
        return True
    return (
        user.has_role(Role.HEAD_OF_SERVICE) and user.overseen_teams.filter(pk=case.team_id).exists()
    )


def is_team_manager_for(user: User, case: ReunificationCase) -> bool:
    return user.has_role(Role.TEAM_MANAGER) and user.team_id == case.team_id


def can_change(user: User, case: ReunificationCase) -> bool:
    # A closed case is a record of what happened; the child's records are changed
    # through the open case, by whoever holds it now.
    if not user.is_authenticated or not user.is_active or not case.is_open:
        return False
    allocated = case.social_worker_id == user.pk and can_view(user, case)
    return allocated or is_team_manager_for(user, case)


def case_for(user: User, pk: int, *, change: bool = False) -> ReunificationCase:
    """The case, if this user may see it (or change it). 404 if they may not see it;
    403 if they may see it but not change it."""
    try:
        case = ReunificationCase.objects.select_related("child", "team").get(pk=pk)
    except ReunificationCase.DoesNotExist:
        raise Http404 from None
    if not can_view(user, case):
        raise Http404
    if change and not can_change(user, case):
        raise PermissionDenied
    return case
