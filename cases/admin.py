"""The Django admin holds who works here: users and their roles, teams and service
areas. Nothing about a child is registered here, for anyone, superusers included:
children, cases, every record of a case, their history and the audit of who saw
them are read through the case pages, which check who may see each case and log
every view (tests/test_admin_and_audit.py walks every model to hold this)."""

from collections import Counter

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.admin import UserAdmin
from django.db import router

from .models import RoleGrant, ServiceArea, Team, User


class NamesNoChildAdmin(admin.ModelAdmin):
    """Deleting a team or a person lists what it would delete or what stops it.
    Django names each of those objects, and a case is named by its child; here
    they are counted by kind instead, so the confirmation page names no child."""

    def get_deleted_objects(self, objs, request):
        _, counts, perms_needed, _ = super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        protected = Counter(obj._meta for obj in collector.protected)
        deleted = [f"{self.model._meta.verbose_name.capitalize()}: {obj}" for obj in objs]
        return (
            deleted,
            counts,
            perms_needed,
            sorted(
                f"{number} {meta.verbose_name if number == 1 else meta.verbose_name_plural}"
                for meta, number in protected.items()
            ),
        )


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class ReunificationUserAdmin(NamesNoChildAdmin, UserAdmin):
    inlines = [RoleGrantInline]
    list_display = ["username", "first_name", "last_name", "email", "team", "is_active"]
    list_filter = ["team", "role_grants__role", "is_active", "is_staff"]
    list_select_related = ["team"]
    fieldsets = (*UserAdmin.fieldsets, ("Team", {"fields": ["team", "social_work_england_number"]}))


@admin.register(ServiceArea)
class ServiceAreaAdmin(NamesNoChildAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(NamesNoChildAdmin):
    list_display = ["name", "service_area"]
    list_select_related = ["service_area"]
    filter_horizontal = ["heads_of_service"]
