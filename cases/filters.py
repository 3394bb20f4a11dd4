import django_filters
from django import forms
from django.db.models import Q

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

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("scope", "mine")
        super().__init__(data, *args, **kwargs)
        self.user = user
        # Offer only the teams and social workers whose cases this person can see,
        # so the lists stay short however large the council.
        teams = policy.visible_teams(user)
        self.filters["team"].queryset = teams
        self.filters["social_worker"].queryset = (
            User.objects.filter(role_grants__role=Role.SOCIAL_WORKER, team__in=teams)
            .distinct()
            .order_by("first_name", "last_name")
        )
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
