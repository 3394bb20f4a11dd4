from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReunificationCase, RoleGrant, ServiceArea, Team, User


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
class ReunificationCaseAdmin(SimpleHistoryAdmin):
    """Read-only: case records change through the application, where each change is
    checked and written to the chronology."""

    list_display = ["pk", "child", "team", "social_worker", "stage", "opened_on"]
    list_filter = ["stage", "team"]
    list_select_related = ["child", "team", "social_worker"]
    search_fields = ["child__last_name", "child__first_name", "child__local_identifier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
