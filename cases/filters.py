import django_filters
from django import forms
from django.db.models import Count, Q

from . import policy
from .models import LegalStatusCode, Role, Stage, Team, User


class CaseFilter(django_filters.FilterSet):
    """Filters for caseload lists. `queryset` must already be limited to the cases
    the user may see and annotated with `current_legal_status` (see selectors)."""

    scope = django_filters.ChoiceFilter(
        label="Show",
        choices=[("mine", "Cases allocated to me"), ("all", "All cases I can see")],
        method="filter_scope",
        empty_label=None,
    )
    q = django_filters.CharFilter(label="Name or identifier", method="filter_text")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")
    social_worker = django_filters.ModelChoiceFilter(
        label="Social worker",
        queryset=User.objects.filter(role_grants__role=Role.SOCIAL_WORKER).distinct(),
        empty_label="Any social worker",
    )
    legal_status = django_filters.ChoiceFilter(
        label="Legal status",
        choices=LegalStatusCode.choices,
        field_name="current_legal_status",
        empty_label="Any legal status",
    )

    list_limit = 60

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("scope", "mine")
        super().__init__(data, *args, **kwargs)
        self.user = user
        # Offer only the teams and social workers whose cases this person can see,
        # so the lists stay short however large the council.
        # Past `list_limit` choices a list is too long to use (and to send: a
        # service director sees every team and every social worker), so the name
        # is typed instead and matched on any part of it.
        teams = policy.visible_teams(user)
        workers = (
            User.objects.filter(role_grants__role=Role.SOCIAL_WORKER, team__in=teams)
            .distinct()
            .order_by("first_name", "last_name")
        )
        sizes = teams.aggregate(
            teams=Count("pk", distinct=True),
            workers=Count(
                "members", filter=Q(members__role_grants__role=Role.SOCIAL_WORKER), distinct=True
            ),
        )
        self.team_typed = sizes["teams"] > self.list_limit
        self.worker_typed = sizes["workers"] > self.list_limit
        if self.team_typed:
            self.filters["team"] = django_filters.CharFilter(
                label="Team", method="filter_team_name"
            )
        else:
            self.filters["team"].queryset = teams
        if self.worker_typed:
            self.filters["social_worker"] = django_filters.CharFilter(
                label="Social worker", method="filter_worker_name"
            )
        else:
            self.filters["social_worker"].queryset = workers
        for name in ("team", "social_worker"):
            self.filters[name].model = self.queryset.model
            self.filters[name].parent = self
            self.filters[name].field_name = self.filters[name].field_name or name
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "govuk-select"
            else:
                field.widget.attrs["class"] = "govuk-input"

    def filter_scope(self, queryset, name, value):
        if value == "mine":
            user = self.user
            return queryset.filter(
                Q(social_worker=user) | Q(team_manager=user) | Q(head_of_service=user) | Q(iro=user)
            )
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        every_word = Q()
        for word in value.split():
            every_word &= Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word)
        return queryset.filter(Q(child__local_identifier__iexact=value) | every_word)

    def filter_team_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(team__name__icontains=value) if value else queryset

    def filter_worker_name(self, queryset, name, value):
        every_word = Q()
        for word in value.split():
            every_word &= Q(social_worker__first_name__icontains=word) | Q(
                social_worker__last_name__icontains=word
            )
        return queryset.filter(every_word)
