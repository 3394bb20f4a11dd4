"""The record of who took children's data out of the service: every download."""

from django.conf import settings
from django.db import models


class AppendOnly(Exception):
    """A download's record is written once and never changed or removed."""


class DataDownloadQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Downloads are kept as they were logged")

    def delete(self):
        raise AppendOnly("Downloads are kept as they were logged")


class DataDownload(models.Model):
    """One download (or command-line export) of children's data: who, when, and
    what: the report, the filters it was run with and how many rows it held.

    Append-only: saving an existing row, updating or deleting rows raises
    AppendOnly, and a person who downloaded cannot be deleted (PROTECT)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who downloaded it; empty for an export from the command line.",
    )
    downloaded_at = models.DateTimeField()
    report = models.CharField(max_length=200, help_text="The report or extract, by name.")
    file_name = models.CharField(max_length=200)
    scope = models.CharField(
        max_length=500, help_text="The period, teams and cases the file covered."
    )
    row_count = models.PositiveIntegerField()
    source = models.CharField(
        max_length=500, help_text="The address asked for, or the command that was run."
    )

    objects = DataDownloadQuerySet.as_manager()

    class Meta:
        ordering = ["-downloaded_at", "-pk"]
        indexes = [models.Index(fields=["-downloaded_at"])]

    def __str__(self):
        return f"{self.user or 'Command line'} downloaded {self.file_name} at {self.downloaded_at}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Downloads are kept as they were logged")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Downloads are kept as they were logged")
