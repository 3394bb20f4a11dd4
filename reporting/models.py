"""Report figures kept for a few minutes.

The reports aggregate the whole council, so their cost grows with the records;
a page reads its figures from here when they were worked out recently, and
works them out (and keeps them) otherwise. The beat schedule keeps the
whole-council figures fresh, so the first manager of the morning waits no
longer than the next one. The figures are counts, never names.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ReportSnapshot(models.Model):
    key = models.CharField(max_length=64, unique=True)  # the report and its filter
    report = models.CharField(max_length=20)
    computed_at = models.DateTimeField()
    tables = models.JSONField(encoder=DjangoJSONEncoder)  # as the page shows them
    # The CSV files of the tables the page cuts short, as gzip-compressed JSON
    # {table key: file text}; empty when every table is shown whole.
    long_csv_files = models.BinaryField(default=b"")

    def __str__(self):
        return f"{self.report} figures at {self.computed_at:%Y-%m-%d %H:%M}"


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class PreparedExport(models.Model):
    """A whole-council SSDA903 return prepared in the background for the person
    who asked for it: too large to build within one request. The zip is kept
    here (any web worker can hand it over) until she downloads it; the download,
    not the preparation, is what the downloads log records."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prepared_exports"
    )
    year_ending = models.PositiveSmallIntegerField()  # the collection year ending 31 March
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PREPARING
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=60)
    content = models.BinaryField(default=b"", editable=False)
    row_counts = models.JSONField(default=dict)  # {table: rows}

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"
