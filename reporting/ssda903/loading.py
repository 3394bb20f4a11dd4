"""Loading a council's existing SSDA903 return into the record: children created
or matched by their identifier (CHILD), their legal statuses and placements
rebuilt from the episodes, and, if given, their Child in Care reviews (with how
the child took part) and missing and away episodes.

All or nothing: every row is checked first, and if any is refused nothing is
loaded; a dry run reports what would change and every refused row with its
reason. A child already held with the same history is left as it is, and a
review or missing episode already held is not added again, so loading the same
files again changes nothing. `manage.py import_ssda903` and the import page
both call `load`.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import policy, rules
from cases.models import (
    CategoryOfNeed,
    Child,
    Ethnicity,
    LegalStatus,
    LegalStatusCode,
    LoadedReview,
    MissingEpisode,
    MissingKind,
    Placement,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlaceChange,
    Sex,
    User,
)
from cases.models.codes import ReviewParticipation

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
    episodes: int = 0  # episode rows behind the care histories loaded
    statuses: int = 0
    placements: int = 0
    reviews: int = 0  # new reviews
    reviews_held: int = 0  # reviews in the file already held
    missing: int = 0  # new missing and away episodes
    missing_held: int = 0
    refused: list[Refused] = field(default_factory=list)
    loaded: bool = False

    def summary(self) -> str:
        return (
            f"{len(self.created)} children new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged; care histories for {len(self.histories)} "
            f"({self.episodes} episodes: {self.statuses} legal statuses, "
            f"{self.placements} placements); {self.reviews} reviews new, "
            f"{self.reviews_held} held already; {self.missing} missing episodes new, "
            f"{self.missing_held} held already; {len(self.refused)} rows refused"
        )


def _date(value: str, name: str = "") -> datetime.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"{name or 'The date'} {value!r} is not a date as DD/MM/YYYY") from None


# The columns a file must have; the others may be left out.
REQUIRED = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC"],
    "Episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC"],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
}


def read_table(text: str, table: str) -> list[dict]:
    """The file's rows, its values stripped; ValidationError if it lacks a column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        names = reader.fieldnames or []
    except csv.Error as error:
        raise ValidationError(f"The {table} file is not a CSV file ({error})") from None
    missing = [c for c in REQUIRED[table] if c not in names]
    if missing:
        raise ValidationError(
            f"The {table} file has no {', '.join(missing)} column"
            + ("s" if len(missing) > 1 else "")
            + f": its first line must name the columns ({', '.join(COLUMNS[table])})"
        )
    try:
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except csv.Error as error:
        raise ValidationError(f"The {table} file is not a CSV file ({error})") from None


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
        "date_of_birth": _date(row["DOB"], "DOB"),
        "ethnicity": row["ETHNIC"],
        "upn": row.get("UPN", ""),
        "is_mother": {"1": True, "0": False}.get(mother) if sex == Sex.FEMALE else None,
        "mothers_child_born_on": _date(row.get("MC_DOB", ""), "MC_DOB"),
    }


def _check_episode(row: dict) -> None:
    """ValueError, with the reason, if the episode row breaks the record's rules."""
    start, end = _date(row["DECOM"], "DECOM"), _date(row["DEC"], "DEC")
    if start is None:
        raise ValueError("DECOM is blank")
    if row["RNE"] not in NEW_STATUS | NEW_PLACEMENT:
        raise ValueError(f"RNE {row['RNE']!r} is not an SSDA903 reason for a new episode")
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


def _history(episodes: list[tuple[int, dict]]):
    """Legal statuses and placements (unsaved) from one child's episodes, each
    already checked."""
    statuses, placements = [], []
    status = placement = None
    carers = 0
    for _line, row in sorted(episodes, key=lambda item: _date(item[1]["DECOM"])):
        start, end = _date(row["DECOM"]), _date(row["DEC"])
        rne, rec = row["RNE"], row.get("REC", "")
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


def _looked_after_on(statuses, day: datetime.date) -> bool:
    return any(s.start_date <= day and (s.end_date is None or day <= s.end_date) for s in statuses)


def load(
    header: str,
    episodes: str,
    reviews: str = "",
    missing: str = "",
    *,
    dry_run: bool,
    by: User | None = None,
) -> Plan:
    """Check the files (Reviews and Missing may be left out: "") and, unless it is
    a dry run or a row is refused, load them. `by` is the person loading them from
    the import page; the command line passes none."""
    if by is not None:
        policy.require(policy.may_import_ssda903(by))
    plan = Plan()
    header_rows = read_table(header, "Header")
    episode_rows = read_table(episodes, "Episodes")
    review_rows = read_table(reviews, "Reviews") if reviews.strip() else []
    missing_rows = read_table(missing, "Missing") if missing.strip() else []
    children: dict[str, Child] = {}
    for line, row in enumerate(header_rows, start=2):
        identifier = row["CHILD"]
        if identifier in children:
            plan.refused.append(Refused("Header", line, identifier, "the child is named twice"))
            continue
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
    in_header = set(children)

    def child_of(table: str, line: int, identifier: str) -> Child | None:
        """The child a row names, from the Header file or already held."""
        if identifier not in children:
            known = Child.objects.filter(local_identifier=identifier).first()
            if known is None:
                reason = "the child is not in the Header file nor already held"
                plan.refused.append(Refused(table, line, identifier, reason))
                return None
            children[identifier] = known
        return children[identifier]

    by_child: dict[str, list] = {}
    for line, row in enumerate(episode_rows, start=2):
        by_child.setdefault(row["CHILD"], []).append((line, row))
    histories = {}
    care: dict[str, list] = {}  # each child's legal statuses, as held or as loaded
    for identifier, rows in by_child.items():
        first_line = rows[0][0]
        child = child_of("Episodes", first_line, identifier)
        if child is None:
            reason = "the child is not in the Header file nor already held"
            plan.refused.extend(Refused("Episodes", ln, identifier, reason) for ln, _ in rows[1:])
            continue
        faults = []
        for line, row in rows:
            try:
                _check_episode(row)
            except ValueError as error:
                faults.append(Refused("Episodes", line, identifier, str(error)))
        if faults:
            plan.refused.extend(faults)
            continue
        statuses, placements = _history(rows)
        try:
            for record in (*statuses, *placements):
                record.full_clean(exclude=["child"])
        except ValidationError as error:
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            plan.refused.append(Refused("Episodes", first_line, identifier, reasons))
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
                care[identifier] = held_statuses
                continue  # already held as the return has it
            if held_statuses or held_placements:
                reason = (
                    "the child's care history is held already and differs from the return: "
                    "correct it in the record"
                )
                plan.refused.append(Refused("Episodes", first_line, identifier, reason))
                continue
        care[identifier] = statuses
        histories[identifier] = (statuses, placements)
        plan.histories.append(identifier)
        plan.episodes += len(rows)
        plan.statuses += len(statuses)
        plan.placements += len(placements)

    def statuses_of(child: Child, identifier: str) -> list:
        if identifier not in care:
            care[identifier] = list(child.legal_statuses.all()) if child.pk else []
        return care[identifier]

    def dated_row(table: str, line: int, row: dict, day_column: str):
        """The row's child and date, or None (the row refused) if either is wrong."""
        identifier = row["CHILD"]
        child = child_of(table, line, identifier)
        if child is None:
            return None
        try:
            born, day = _date(row["DOB"], "DOB"), _date(row[day_column], day_column)
            if day is None:
                raise ValueError(f"{day_column} is blank")
            if born != child.date_of_birth:
                raise ValueError(
                    "DOB is not the child's date of birth"
                    + (" in the Header file" if identifier in in_header else " as held")
                )
        except ValueError as error:
            plan.refused.append(Refused(table, line, identifier, str(error)))
            return None
        return child, day

    new_reviews = []
    seen = set()
    for line, row in enumerate(review_rows, start=2):
        found = dated_row("Reviews", line, row, "REVIEW")
        if found is None:
            continue
        (child, day), identifier, code = found, row["CHILD"], row["REVIEW_CODE"]
        if code not in ReviewParticipation.values:
            reason = f"REVIEW_CODE {code!r} is not an SSDA903 participation code"
        elif (identifier, day) in seen:
            reason = "a second review of the child on the same day"
        elif not _looked_after_on(statuses_of(child, identifier), day):
            reason = "the child was not looked after on the day of the review"
        else:
            reason = ""
        if reason:
            plan.refused.append(Refused("Reviews", line, identifier, reason))
            continue
        seen.add((identifier, day))
        held = None
        if child.pk:
            held = child.loaded_reviews.filter(held_on=day).first()
            if held is None and _held_review(child, day):
                plan.reviews_held += 1
                continue
        if held is not None:
            if held.participation == code:
                plan.reviews_held += 1
            else:
                reason = f"a review on that day is held already with {held.participation}"
                plan.refused.append(Refused("Reviews", line, identifier, reason))
            continue
        new_reviews.append((identifier, LoadedReview(held_on=day, participation=code)))
        plan.reviews += 1

    new_missing = []
    spells: dict[str, list] = {}
    for line, row in enumerate(missing_rows, start=2):
        found = dated_row("Missing", line, row, "MIS_START")
        if found is None:
            continue
        (child, start), identifier, kind = found, row["CHILD"], row["MISSING"]
        try:
            end = _date(row["MIS_END"], "MIS_END")
        except ValueError as error:
            plan.refused.append(Refused("Missing", line, identifier, str(error)))
            continue
        if identifier not in spells:
            spells[identifier] = list(child.missing_episodes.all()) if child.pk else []
        held = next((s for s in spells[identifier] if s.start_date == start), None)
        if kind not in MissingKind.values:
            reason = f"MISSING {kind!r} is not M (missing) or A (away)"
        elif end and end < start:
            reason = "MIS_END is before MIS_START"
        elif held is not None and held.pk and (held.kind, held.end_date) == (kind, end):
            plan.missing_held += 1
            continue
        elif held is not None and not held.pk:
            reason = "a second missing episode of the child from the same day"
        elif held is not None:
            reason = "a missing episode from that day is held already, with another type or end"
        else:
            other = next(
                (
                    s
                    for s in spells[identifier]
                    if rules.periods_overlap(start, end, s.start_date, s.end_date)
                ),
                None,
            )
            reason = (
                f"it overlaps the missing episode from {other.start_date:%d/%m/%Y}" if other else ""
            )
        if reason:
            plan.refused.append(Refused("Missing", line, identifier, reason))
            continue
        spell = MissingEpisode(kind=kind, start_date=start, end_date=end)
        spells[identifier].append(spell)
        new_missing.append((identifier, spell))
        plan.missing += 1

    if dry_run or plan.refused:
        return plan
    with transaction.atomic():
        for identifier, child in children.items():
            if identifier in plan.created or identifier in plan.updated or child.pk is None:
                child.save()
            elif identifier in histories and child.home_postcode:
                child.save(update_fields=["home_postcode"])
        for identifier, (statuses, placements) in histories.items():
            for record in (*statuses, *placements):
                record.child = children[identifier]
                record.save()
        for identifier, record in (*new_reviews, *new_missing):
            record.child = children[identifier]
            record.full_clean()
            record.save()
    plan.loaded = True
    return plan


def _held_review(child: Child, day: datetime.date) -> bool:
    """A Child in Care review of the child's recorded on one of her cases that day."""
    from reviews.models import Review, ReviewType

    return Review.objects.filter(
        case__child=child, review_type=ReviewType.CHILD_IN_CARE, held_on=day
    ).exists()
