import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Size
from django import forms

from cases.forms import GOVUKDateField
from cases.models import ServiceArea, Team
from reunification.clock import today


class ReportFilterForm(forms.Form):
    """The period, team and service area a report covers."""

    start = GOVUKDateField(label="From", required=False, allow_future=True)
    end = GOVUKDateField(label="To", required=False, allow_future=True)
    team = forms.ModelChoiceField(Team.objects.all(), required=False, empty_label="All teams")
    service_area = forms.ModelChoiceField(
        ServiceArea.objects.all(), required=False, empty_label="All service areas"
    )

    # Past this many teams a list to choose from is too long to use (and to send):
    # the team is then typed, and every team whose name holds the text is counted.
    team_list_limit = 60

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_typed = Team.objects.count() > self.team_list_limit
        if self.team_typed:
            self.fields["team"] = forms.CharField(
                label="Team",
                required=False,
                max_length=100,
                help_text="Type all or part of the team's name",
            )
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout.append(Button.secondary("apply", "Apply"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be after its start")
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        day = today()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or day
        start = data.get("start") or datetime.date(end.year - 3, end.month, 1)
        return start, end

    def team_ids(self) -> tuple[int, ...]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("team") and self.team_typed:
            named = Team.objects.filter(name__icontains=data["team"].strip())
            return tuple(named.values_list("pk", flat=True)) or (0,)
        if data.get("team"):
            return (data["team"].pk,)
        if data.get("service_area"):
            return tuple(data["service_area"].teams.values_list("pk", flat=True)) or (0,)
        return ()


class ExtractForm(forms.Form):
    start = GOVUKDateField(label="From", allow_future=True)
    end = GOVUKDateField(label="To", allow_future=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period must be after its start")
        return data
