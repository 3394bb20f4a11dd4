"""A generated population of looked-after children for the SSDA903 tests: care
histories of one to three periods of care, moves between placements, changes of
legal status, returns home and other endings with their reasons, missing and
away spells, Child in Care reviews and social workers, all through the records
the product keeps. Random but repeatable (seeded)."""

import datetime
import random

from cases.models import (
    Allocation,
    LegalStatus,
    MissingEpisode,
    Placement,
    ReunificationCase,
    Role,
    Sex,
    Stage,
)
from reviews.models import Review, ReviewType
from tests.factories import ChildFactory, UserFactory

D = datetime.date
HOMES = ("TW1 1AA", "TW1 1AF", "TW1 1AR", "TW1 1AS")
# Placement codes the 2025/26 list accepts, with who provides them and an Ofsted
# number where Ofsted registers the provider.
PLACES = [
    ("U6", "PR1", "SC482619"),
    ("U4", "PR1", "SC482619"),
    ("U3", "PR1", "SC482619"),
    ("K2", "PR4", "SC391774"),
    ("R1", "PR4", ""),
    ("Z11", "PR4", ""),
]
# Endings the product's records can show (adoption needs the adoption tables,
# which it does not hold); special guardianship to former foster carers only
# from a foster placement.
ENDINGS = ["E4A", "E4B", "E13", "E41", "E47", "E48", "E3", "E8"]
FOSTER_ENDINGS = ["E45", "E46"]
# Each carer has an address of their own.
CARER_POSTCODES = ("TW1 1AW", "TW1 1AX", "TW1 1AY", "TW1 1AZ")
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(number: int) -> str:
    body = f"31826{number:06d}0"
    total = sum(int(d) * w for d, w in zip(body, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23] + body


def generate(
    count: int, *, team, iro, recorded_by, year_end: D, seed: int = 903, since_days: int = 900
) -> list:
    """`count` children, the first coming into care up to `since_days` before the
    end of the year."""
    rng = random.Random(seed)
    workers = [
        UserFactory(username=f"sw{n}", social_work_england_number=f"SW{70000 + n}")
        for n in range(4)
    ]
    children = []
    for number in range(count):
        born = year_end - datetime.timedelta(days=rng.randint(365 * 5, 365 * 16))
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        child = ChildFactory(
            local_identifier=f"G{number:05d}",
            date_of_birth=born,
            sex=sex,
            upn=upn(number),
            home_postcode=rng.choice(HOMES),
            is_mother=False if sex == Sex.FEMALE else None,
        )
        children.append(child)
        day = year_end - datetime.timedelta(days=rng.randint(60, since_days))
        earlier = None
        for _period in range(rng.randint(1, 3)):
            if day > year_end:
                break
            if earlier is not None:
                # The case stayed open after care ended (support at home) until
                # the child came back into care, when a new case began.
                case, allocation = earlier
                case.closed_on, case.stage, case.stage_entered_on = day, Stage.CLOSED, day
                case.save()
                allocation.end_date = day
                allocation.save()
            ended, earlier = _period_of_care(
                rng, child, day, year_end, team, iro, workers, recorded_by
            )
            if ended is None:
                break
            day = ended + datetime.timedelta(days=rng.randint(20, 200))
    return children


def _period_of_care(rng, child, start, year_end, team, iro, workers, recorded_by):
    """One period of care from `start`: placements and legal statuses, a case
    with its social worker and reviews; the day it ended (None if it runs on)."""
    length = rng.randint(30, 700)
    ends = start + datetime.timedelta(days=length)
    still = ends > year_end + datetime.timedelta(days=rng.choice([0, 60]))
    code = rng.choice(["V2", "C1", "C2"])
    status_change = start + datetime.timedelta(days=length // 2) if code == "C1" else None
    # Legal status: one, or an interim order becoming a full one.
    if status_change and (still or status_change < ends):
        LegalStatus.objects.create(child=child, code="C1", start_date=start, end_date=status_change)
        last = LegalStatus(child=child, code="C2", start_date=status_change)
    else:
        last = LegalStatus(child=child, code=code, start_date=start)
    if not still:
        last.end_date = ends
    last.save()
    # Placements: one to three, moving on with a reason.
    day, moves, postcode = start, rng.randint(1, 3), None
    for move in range(moves):
        place, provider, urn = rng.choice(PLACES)
        postcode = rng.choice([p for p in CARER_POSTCODES if p != postcode])
        until = None if move == moves - 1 else day + datetime.timedelta(days=rng.randint(10, 90))
        if until is not None and (not still and until >= ends):
            until = None
        if until is None and not still:
            until = ends
        Placement.objects.create(
            child=child,
            placement_type=place,
            carer=f"Carer {rng.randint(1, 40)}",
            start_date=day,
            end_date=until,
            provider=provider,
            postcode=postcode,
            urn=urn,
            reason_changed=rng.choice(["CARPL", "CREQB", "LAREQ"])
            if until and until != ends
            else "",
        )
        if until is None or until == ends:
            break
        day = until
    if not still:
        foster = place.startswith("U")
        last.reason_ceased = rng.choice(ENDINGS + (FOSTER_ENDINGS if foster else []))
        last.save()
    # The case, its social worker from the start of care, and reviews.
    case = ReunificationCase.objects.create(
        child=child,
        team=team,
        stage=Stage.SUPPORT_PLANNING,
        stage_entered_on=start,
        opened_on=start,
        closed_on=None,
        became_looked_after_on=start,
        category_of_need=rng.choice(["N1", "N2", "N4", "N5"]),
        iro=iro,
    )
    worker = rng.choice(workers)
    handover = start + datetime.timedelta(days=rng.randint(40, 300))
    allocation = Allocation.objects.create(
        case=case, role=Role.SOCIAL_WORKER, user=worker, start_date=start,
        allocated_by=recorded_by,
    )  # fmt: skip
    if handover < (year_end if still else ends):
        allocation.end_date = handover
        allocation.save()
        allocation = Allocation.objects.create(
            case=case, role=Role.SOCIAL_WORKER, user=rng.choice(workers), start_date=handover,
            allocated_by=recorded_by, change_reason="LEFTRL",
        )  # fmt: skip
    review = start + datetime.timedelta(days=20)
    while review < min(ends, year_end):
        Review.objects.create(
            case=case,
            held_on=review,
            review_type=ReviewType.CHILD_IN_CARE,
            chair=iro,
            attended="The child, the carer.",
            outcome="Plan progressing.",
            participation=rng.choice(["PN1", "PN2", "PN6"]),
            recorded_by=iro,
        )
        review += datetime.timedelta(days=rng.choice([90, 180]))
    if rng.random() < 0.3:
        away = start + datetime.timedelta(days=rng.randint(1, 25))
        MissingEpisode.objects.create(
            child=child,
            kind=rng.choice(["M", "A"]),
            start_date=away,
            end_date=away + datetime.timedelta(days=rng.randint(0, 3)),
        )
    return (None if still else ends), (case, allocation)
