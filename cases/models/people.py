"""Who uses the system: people, their roles, teams and service areas."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    IRO = "iro", "Independent Reviewing Officer"
    SERVICE_DIRECTOR = "service_director", "Service director"
    PERFORMANCE = "performance", "Performance and admin"


class ServiceArea(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="teams")
    heads_of_service = models.ManyToManyField(
        "cases.User",
        blank=True,
        related_name="overseen_teams",
        help_text="Heads of service who oversee this team.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The team this person works in, if any.",
    )
    social_work_england_number = models.CharField(
        "Social Work England registration number",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^SW[0-9]{1,10}\Z", "Enter the number as SW and digits")],
        help_text="For social workers, as on the Social Work England register: SW and digits.",
    )

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]


class RoleGrant(models.Model):
    """One role held by one person. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"
