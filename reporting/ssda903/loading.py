"""Loading a council's existing SSDA903 return (Header and Episodes) into the
record: children created or matched by their identifier (CHILD), and their
legal statuses and placements rebuilt from the episodes.

All or nothing: every row is checked first, and if any is refused nothing is
loaded; a dry run reports what would change and every refused row with its
reason. A child already held with the same history is left as it is, so loading
the same files again changes nothing.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import (
    CategoryOfNeed,
    Child,
    Ethnicity,
    LegalStatus,
    LegalStatusCode,
    Placement,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlaceChange,
    Sex,
)

from .tables import COLUMNS

# Episodes that start a new legal status, and a new placement (RNE).
NEW_STATUS = {"S", "L", "B", "U"}
NEW_PLACEMENT = {"S", "P", "T", "B", "U"}
NEW_CARER = {"S", "P", "B"}


@dataclass
class Refused:
    table: str
    row: int  # the line in the file, the column names being line 1
    child: str
    reason: str


@dataclass
class Plan:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    histories: list[str] = field(default_factory=list)  # children whose care history is loaded
    refused: list[Refused] = field(default_factory=list)
    loaded: bool = False

    def summary(self) -> str:
        return (
            f"{len(self.created)} children new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged; care histories for {len(self.histories)}; "
            f"{len(self.refused)} rows refused"
        )


def _date(value: str) -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    return datetime.datetime.strptime(value, "%d/%m/%Y").date()


def _rows(text: str, table: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [
        c for c in ("CHILD",) + tuple(COLUMNS[table][1:4]) if c not in (reader.fieldnames or [])
    ]
    if missing:
        raise ValidationError(f"The {table} file has no {', '.join(missing)} column")
    return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def _child_values(row: dict) -> dict:
    sex = row["SEX"]
    if sex not in Sex.values:
        raise ValueError(f"SEX {sex!r} is not M, F or U")
    if row["ETHNIC"] not in Ethnicity.values:
        raise ValueError(f"ETHNIC {row['ETHNIC']!r} is not an SSDA903 ethnicity code")
    mother = row.get("MOTHER", "")
    if mother not in ("", "0", "1"):
        raise ValueError(f"MOTHER {mother!r} is not 1, 0 or blank")
    return {
        "sex": sex,
        "date_of_birth": _date(row["DOB"]),
        "ethnicity": row["ETHNIC"],
        "upn": row.get("UPN", ""),
        "is_mother": {"1": True, "0": False}.get(mother) if sex == Sex.FEMALE else None,
        "mothers_child_born_on": _date(row.get("MC_DOB", "")),
    }


def _history(child_id: str, episodes: list[tuple[int, dict]]):
    """Legal statuses and placements (unsaved) from one child's episodes."""
    statuses, placements = [], []
    status = placement = None
    carers = 0
    for _line, row in sorted(episodes, key=lambda item: _date(item[1]["DECOM"])):
        start, end = _date(row["DECOM"]), _date(row["DEC"])
        rne = row["RNE"]
        if rne not in NEW_STATUS | NEW_PLACEMENT:
            raise ValueError(f"RNE {rne!r} is not an SSDA903 reason for a new episode")
        if row["LS"] not in LegalStatusCode.values:
            raise ValueError(f"LS {row['LS']!r} is not a legal status the service records")
        if row["PLACE"] not in PlacementType.values:
            raise ValueError(f"PLACE {row['PLACE']!r} is not a placement code")
        if end and end < start:
            raise ValueError("DEC is before DECOM")
        for name, codes in (
            ("CIN", CategoryOfNeed.values),
            ("PLACE_PROVIDER", PlacementProvider.values),
            ("REASON_PLACE_CHANGE", ReasonPlaceChange.values),
        ):
            if row.get(name) and row[name] not in codes:
                raise ValueError(f"{name} {row[name]!r} is not an SSDA903 code")
        rec = row.get("REC", "")
        if rec and rec != "X1" and rec not in ReasonEpisodeCeased.values:
            raise ValueError(f"REC {rec!r} is not an SSDA903 reason the episode ceased")
        if rne == "S" or status is None or rne in NEW_STATUS:
            if status is not None and status.end_date is None:
                status.end_date = start
            status = LegalStatus(code=row["LS"], start_date=start, category_of_need=row["CIN"])
            statuses.append(status)
        if rne == "S" or placement is None or rne in NEW_PLACEMENT:
            if placement is not None and placement.end_date is None:
                placement.end_date = start
            if rne in NEW_CARER or placement is None:
                carers += 1
            placement = Placement(
                placement_type=row["PLACE"],
                carer=f"Carer {carers} (from the return)",
                start_date=start,
                provider="" if row["PLACE"] == "P1" else row.get("PLACE_PROVIDER", ""),
                postcode=row.get("PL_POST", ""),
                urn=row.get("URN", ""),
            )
            placements.append(placement)
        status.end_date = end
        placement.end_date = end
        if end and rec and rec != "X1":
            status.reason_ceased = rec
        if end and row.get("REASON_PLACE_CHANGE"):
            placement.reason_changed = row["REASON_PLACE_CHANGE"]
    return statuses, placements


def _same(held, wanted, fields) -> bool:
    key = lambda record: tuple(getattr(record, f) for f in fields)  # noqa: E731
    return sorted(map(key, held), key=str) == sorted(map(key, wanted), key=str)


STATUS_FIELDS = ("code", "start_date", "end_date", "reason_ceased")
PLACEMENT_FIELDS = ("placement_type", "start_date", "end_date", "postcode", "urn")


def load(header: str, episodes: str, *, dry_run: bool) -> Plan:
    """Check the files and, unless it is a dry run or a row is refused, load them."""
    plan = Plan()
    header_rows = _rows(header, "Header")
    episode_rows = _rows(episodes, "Episodes")
    children: dict[str, Child] = {}
    for line, row in enumerate(header_rows, start=2):
        identifier = row["CHILD"]
        try:
            values = _child_values(row)
        except ValueError as error:
            plan.refused.append(Refused("Header", line, identifier, str(error)))
            continue
        child = Child.objects.filter(local_identifier=identifier).first()
        if child is None:
            child = Child(
                local_identifier=identifier,
                first_name="Child",
                last_name=identifier,
                home_postcode="",
                **values,
            )
            plan.created.append(identifier)
        elif any(getattr(child, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(child, name, value)
            plan.updated.append(identifier)
        else:
            plan.unchanged.append(identifier)
        try:
            child.full_clean(validate_unique=False)
        except ValidationError as error:
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            plan.refused.append(Refused("Header", line, identifier, reasons))
            continue
        children[identifier] = child
    by_child: dict[str, list] = {}
    for line, row in enumerate(episode_rows, start=2):
        by_child.setdefault(row["CHILD"], []).append((line, row))
    histories = {}
    for identifier, rows in by_child.items():
        child = children.get(identifier)
        first_line = rows[0][0]
        if child is None:
            known = Child.objects.filter(local_identifier=identifier).first()
            if known is None:
                reason = "the child is not in the Header file nor already held"
                plan.refused.extend(Refused("Episodes", ln, identifier, reason) for ln, _ in rows)
                continue
            child = children[identifier] = known
        try:
            statuses, placements = _history(identifier, rows)
        except (ValueError, TypeError) as error:
            plan.refused.append(Refused("Episodes", first_line, identifier, str(error)))
            continue
        home = next((r["HOME_POST"] for _, r in rows if r.get("HOME_POST")), "")
        if home and not child.home_postcode:
            child.home_postcode = home
        if child.pk:
            held_statuses = list(child.legal_statuses.all())
            held_placements = list(child.placements.all())
            if _same(held_statuses, statuses, STATUS_FIELDS) and _same(
                held_placements, placements, PLACEMENT_FIELDS
            ):
                continue  # already held as the return has it
            if held_statuses or held_placements:
                reason = (
                    "the child's care history is held already and differs from the return: "
                    "correct it in the record"
                )
                plan.refused.append(Refused("Episodes", first_line, identifier, reason))
                continue
        histories[identifier] = (statuses, placements)
        plan.histories.append(identifier)
    if dry_run or plan.refused:
        return plan
    with transaction.atomic():
        for identifier, child in children.items():
            if identifier in plan.created or identifier in plan.updated or child.pk is None:
                child.save()
            elif identifier in histories and child.home_postcode:
                child.save(update_fields=["home_postcode"])
        for identifier, (statuses, placements) in histories.items():
            child = children[identifier]
            for record in (*statuses, *placements):
                record.child = child
                record.full_clean(exclude=["child"])
                record.save()
    plan.loaded = True
    return plan
