"""The kinds of record a case holds, for the generic add and edit pages.

Each entry says which model and form to use, whether the record belongs to the
child (care history carried between cases) or to this case, and what to call it.
Other apps register their own record types here from their AppConfig.ready(),
naming the page to return to with `return_to`; cases never imports them.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from reunification.clock import now

from . import forms
from .models import (
    CareEpisode,
    ChronologyEntry,
    FamilyMember,
    LegalStatus,
    MissingEpisode,
    ParentalIssue,
    Placement,
    PoliceCheck,
    PreviousReturn,
    ReunificationCase,
    Sibling,
)


@dataclass(frozen=True)
class RecordType:
    slug: str
    model: type
    form: type
    name: str
    owner: str  # "child", "case" or "member" (through a household member of the case)
    anchor: str  # the section of the overview to return to
    return_to: str = "cases:overview"  # the URL name, taking the case's pk, of that page

    def return_url(self, case: ReunificationCase) -> str:
        return reverse(self.return_to, args=[case.pk]) + f"#{self.anchor}"

    def queryset(self, case: ReunificationCase) -> QuerySet:
        if self.owner == "child":
            return self.model.objects.filter(child=case.child)
        if self.owner == "member":
            return self.model.objects.filter(member__case=case)
        queryset = self.model.objects.filter(case=case)
        if self.model is ChronologyEntry:
            # Automatic entries record decisions; they are not edited by hand.
            queryset = queryset.filter(automatic=False)
        return queryset

    def new_instance(self, case: ReunificationCase, user):
        if self.owner == "child":
            return self.model(child=case.child)
        if self.owner == "member":
            return self.model()
        instance = self.model(case=case)
        if self.model is ChronologyEntry:
            instance.recorded_by = user
            instance.recorded_at = now()
        return instance

    def form_kwargs(self, case: ReunificationCase) -> dict:
        return {"case": case} if self.owner == "member" else {}


RECORD_TYPES = {
    record.slug: record
    for record in [
        RecordType("sibling", Sibling, forms.SiblingForm, "sibling", "child", "siblings"),
        RecordType(
            "legal-status", LegalStatus, forms.LegalStatusForm, "legal status", "child", "legal"
        ),
        RecordType("placement", Placement, forms.PlacementForm, "placement", "child", "legal"),
        RecordType(
            "care-episode",
            CareEpisode,
            forms.CareEpisodeForm,
            "previous care episode",
            "child",
            "history",
        ),
        RecordType(
            "previous-return",
            PreviousReturn,
            forms.PreviousReturnForm,
            "previous return home",
            "child",
            "history",
        ),
        RecordType(
            "missing-episode",
            MissingEpisode,
            forms.MissingEpisodeForm,
            "missing episode",
            "child",
            "history",
        ),
        RecordType(
            "parental-issue",
            ParentalIssue,
            forms.ParentalIssueForm,
            "parental issue",
            "case",
            "reasons",
        ),
        RecordType(
            "household-member",
            FamilyMember,
            forms.FamilyMemberForm,
            "household or family member",
            "case",
            "household",
        ),
        RecordType(
            "police-check",
            PoliceCheck,
            forms.PoliceCheckForm,
            "police check",
            "member",
            "household",
        ),
        RecordType(
            "chronology",
            ChronologyEntry,
            forms.ChronologyEntryForm,
            "chronology entry",
            "case",
            "chronology",
        ),
    ]
}
