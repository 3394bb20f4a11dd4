from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from .models import CaseView, ReunificationCase, RoleGrant, ServiceArea, Team, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody may add, change or delete here, superusers included: the
    audit trail (who viewed a case, every version of every record)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class ReunificationUserAdmin(UserAdmin):
    inlines = [RoleGrantInline]
    list_display = ["username", "first_name", "last_name", "email", "team", "is_active"]
    list_filter = ["team", "role_grants__role", "is_active", "is_staff"]
    list_select_related = ["team"]
    fieldsets = (*UserAdmin.fieldsets, ("Team", {"fields": ["team"]}))


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service_area"]
    list_select_related = ["service_area"]
    filter_horizontal = ["heads_of_service"]


@admin.register(ReunificationCase)
class ReunificationCaseAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Read-only: case records change through the application, where each change is
    checked and written to the chronology."""

    list_display = ["pk", "child", "team", "social_worker", "stage", "opened_on"]
    list_filter = ["stage", "team"]
    list_select_related = ["child", "team", "social_worker"]
    search_fields = ["child__last_name", "child__first_name", "child__local_identifier"]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a POST here as a revert to the old version,
        # checking only view permission: refuse it.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(CaseView)
class CaseViewAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "user", "case", "path"]
    list_select_related = ["user"]
    date_hierarchy = "viewed_at"


class HistoryAdmin(ReadOnlyAdmin):
    list_display = ["history_date", "history_user", "history_type", "__str__"]
    list_select_related = ["history_user"]
    date_hierarchy = "history_date"


# Every version of every record (django-simple-history), read-only.
for _model in apps.get_models():
    if issubclass(_model, HistoricalChanges):
        admin.site.register(_model, HistoryAdmin)
