"""Report figures kept for a few minutes.

The reports aggregate the whole council, so their cost grows with the records;
a page reads its figures from here when they were worked out recently, and
works them out (and keeps them) otherwise. The beat schedule keeps the
whole-council figures fresh, so the first manager of the morning waits no
longer than the next one. The figures are counts, never names.
"""

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
