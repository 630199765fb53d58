"""Demo workshops: a past in-person idea workshop for the waterfront with its board, minutes
and an idea made from a cluster; an upcoming hybrid workshop that is full with a waiting
list; an upcoming online one; and a youth workshop for the 2027 budget.

Runs after the ideas demo (``seed_demo``), whose waterfront process the workshops link to
(``context.extra["idea_processes"]``). Everything goes through the services staff,
facilitators and residents use. The past workshop is run as it would have been: announced,
registered for, then (its times moved to the session) its board filled, clustered and voted
on, closed, and finally moved back to where it took place five days ago. Idempotent: each
workshop is created once, found by its title in the organisation.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from engagement.people.models import Role
from workshops.models import BoardStage, Workshop, WorkshopFormat
from workshops.services import board, events, outcomes, registration
from workshops.services import ideas as workshop_ideas

if TYPE_CHECKING:
    from engagement.people.demo import DemoContext

PAST_TITLE = "Waterfront idea workshop"
HYBRID_TITLE = "Greener courtyards: planning together"
ONLINE_TITLE = "Online Q&A: how the 2027 budget vote works"
YOUTH_TITLE = "Youth workshop: a place of our own"

# (prompt, [(note, name shown or "" for anonymous, may become an idea)])
PAST_BOARD = [
    (
        "What would bring you to the waterfront?",
        [
            ("Benches facing the sea, with backs", "", False),
            ("Shade: trees or sails over the promenade", "Ilze", True),
            ("A kiosk with coffee open in winter too", "", False),
            ("Outdoor gym by the pier", "", False),
            ("Space for teenagers to hang out that isn't a playground", "Kārlis", True),
            ("Public toilets that are open", "", False),
        ],
    ),
    (
        "What stops you from going there today?",
        [
            ("No step-free way down from the bus stop", "", False),
            ("It's dark in the evening: more lights please", "", False),
            ("Cars park on the promenade", "Dace", False),
            ("Nowhere to lock a bike", "", False),
            ("The path floods after rain", "", False),
            ("No shelter when it rains", "", False),
        ],
    ),
]
# cluster title -> note texts in it
PAST_CLUSTERS = {
    "Somewhere to sit and stay": [
        "Benches facing the sea, with backs",
        "Shade: trees or sails over the promenade",
        "No shelter when it rains",
        "A kiosk with coffee open in winter too",
    ],
    "Getting there safely": [
        "No step-free way down from the bus stop",
        "It's dark in the evening: more lights please",
        "Nowhere to lock a bike",
        "Cars park on the promenade",
    ],
    "Things to do": [
        "Outdoor gym by the pier",
        "Space for teenagers to hang out that isn't a playground",
    ],
}
PAST_MINUTES = (
    "<p><strong>What we did</strong></p><p>Twelve residents, two planners from the city and a "
    "youth worker met in the Harbour library for two and a half hours. After a short walk "
    "along the promenade we collected notes on two questions, grouped them and gave each "
    "participant three dots.</p><p><strong>What came out</strong></p><ul><li><strong>Getting "
    "there safely</strong>: a step-free path from the bus stop, lighting and bike stands. "
    "Residents who use wheelchairs or prams said this decides whether they come at "
    "all.</li><li><strong>Somewhere to sit and stay</strong>: benches with backs facing the "
    "sea, shade and a shelter from the rain.</li><li><strong>Things to do</strong>: an "
    "outdoor gym and a place for teenagers.</li></ul><p><strong>What happens next</strong></p>"
    "<p>The city turned &ldquo;Getting there safely&rdquo; into an idea for the waterfront "
    "collection. The planners answer every idea there before the review starts.</p>"
)


def _local(context: DemoContext, day: datetime, hour: int, minute: int = 0) -> datetime:
    zone = ZoneInfo(context.organisation.time_zone)
    return datetime.combine(day.date(), time(hour, minute), tzinfo=zone)


def _existing(context: DemoContext, title: str) -> Workshop | None:
    return Workshop.objects.filter(organisation=context.organisation, title=title).first()


def _create(context: DemoContext, **fields: Any) -> Workshop:
    admin = context.staff[Role.ADMINISTRATOR]
    agenda = fields.pop("agenda", [])
    workshop = events.create_workshop(actor=admin, organisation=context.organisation, **fields)
    if agenda:
        events.set_agenda(actor=admin, workshop=workshop, items=agenda)
    return events.publish_workshop(actor=admin, workshop=workshop)


def _move(workshop: Workshop, starts_at: datetime) -> Workshop:
    """The workshop's times moved as the calendar would have moved them (history only)."""
    length = workshop.ends_at - workshop.starts_at
    Workshop.objects.filter(pk=workshop.pk).update(starts_at=starts_at, ends_at=starts_at + length)
    workshop.refresh_from_db()
    return workshop


def _past_workshop(context: DemoContext) -> None:
    if _existing(context, PAST_TITLE) is not None:
        return
    admin = context.staff[Role.ADMINISTRATOR]
    moderator = context.staff[Role.MODERATOR]
    residents = context.residents
    process = context.extra.get("idea_processes", {}).get("waterfront")
    today = timezone.localtime(timezone.now(), ZoneInfo(context.organisation.time_zone))
    took_place = _local(context, today - timedelta(days=5), 17, 30)
    # Announced a month ahead: created and registered for while still upcoming.
    announced = _local(context, today + timedelta(days=2), 17, 30)
    harbour = next((d for d in context.districts if d.slug == "harbour"), None)
    workshop = _create(
        context,
        title=PAST_TITLE,
        description="<p>What should the redesigned waterfront offer, and what keeps you away "
        "from it today? Bring your ideas; we turn what comes out into proposals for the "
        "waterfront idea collection.</p>",
        format=WorkshopFormat.IN_PERSON,
        starts_at=announced,
        ends_at=announced + timedelta(hours=2, minutes=30),
        venue="Harbour library, event hall (ground floor)",
        address="Ostas iela 12, Demo City",
        latitude="56.950500",
        longitude="24.105300",
        languages=["en", "lv"],
        accessibility="Step-free entrance from the car park side; hearing loop in the hall; "
        "accessible toilet on the ground floor.",
        capacity=30,
        process_id=process.pk if process else None,
        district_id=harbour.pk if harbour else None,
        facilitator_ids=[moderator.pk],
        agenda=[
            {"starts_after_minutes": 0, "title": "Welcome and a walk along the promenade"},
            {"starts_after_minutes": 30, "title": "Notes on two questions"},
            {"starts_after_minutes": 75, "title": "Grouping the notes"},
            {"starts_after_minutes": 105, "title": "Dot voting and next steps"},
        ],
    )
    attendees = residents[:14]
    for number, resident in enumerate(attendees):
        registration.register(
            user=resident,
            workshop=workshop,
            accessibility_needs="Wheelchair user" if number == 3 else "",
        )
    # The session: the times as they were on the day, the board run by the facilitator.
    workshop = _move(workshop, timezone.now() - timedelta(minutes=45))
    prompts = board.set_prompts(
        actor=moderator, workshop=workshop, prompts=[prompt for prompt, _notes in PAST_BOARD]
    )
    board.open_board(actor=moderator, workshop=workshop)
    notes = {}
    for (_prompt, prompt_notes), prompt in zip(PAST_BOARD, prompts, strict=True):
        for number, (text, name, consent) in enumerate(prompt_notes):
            seat = board.seat_for_user(
                attendees[(number * 3 + prompt.pk) % len(attendees)], workshop
            )
            note, _created = board.post_note(
                participant=seat,
                prompt_id=prompt.pk,
                client_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-note-{text}")),
                text=text,
                display_name=name,
                idea_consent=consent,
            )
            notes[text] = note
    board.set_stage(actor=moderator, workshop=workshop, stage=BoardStage.CLUSTERING)
    clusters = {}
    for title, texts in PAST_CLUSTERS.items():
        clusters[title] = board.create_cluster(
            actor=moderator,
            workshop=workshop,
            title=title,
            note_ids=[notes[text].pk for text in texts],
        )
    board.set_stage(actor=moderator, workshop=workshop, stage=BoardStage.VOTING)
    # Three dots each, mostly on the clusters.
    choices = list(clusters.values())
    for number, resident in enumerate(attendees[:12]):
        seat = board.seat_for_user(resident, workshop)
        for dot in range(3):
            target = choices[(number + dot) % 2 if dot < 2 else 2]
            if number % 4 == 0 and dot == 2:
                board.add_dot(participant=seat, note_id=notes["Outdoor gym by the pier"].pk)
            else:
                board.add_dot(participant=seat, cluster_id=target.pk)
    board.set_stage(actor=moderator, workshop=workshop, stage=BoardStage.CLOSED)
    for resident in attendees[:12]:
        registration.check_in(
            actor=admin,
            registration=workshop.registrations.get(user=resident),
            attended=True,
        )
    if process is not None:
        workshop_ideas.cluster_to_idea(actor=admin, cluster=clusters["Getting there safely"])
    outcomes.set_minutes(actor=admin, workshop=workshop, minutes=PAST_MINUTES)
    _move(workshop, took_place)
    outcomes.publish_outcome(actor=admin, workshop=workshop)


def _hybrid_workshop(context: DemoContext) -> None:
    if _existing(context, HYBRID_TITLE) is not None:
        return
    today = timezone.localtime(timezone.now(), ZoneInfo(context.organisation.time_zone))
    starts = _local(context, today + timedelta(days=9), 18)
    workshop = _create(
        context,
        title=HYBRID_TITLE,
        description="<p>Six courtyards in the Old Town could get trees, seating and rain "
        "gardens. Landscape architects show three sketches; together we choose what each "
        "courtyard needs. Join in the hall or online.</p>",
        format=WorkshopFormat.HYBRID,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Old Town community centre, room 2",
        address="Tirgus laukums 3, Demo City",
        latitude="56.947000",
        longitude="24.106800",
        online_url="https://meet.example.org/demo-city-courtyards",
        languages=["en", "lv", "ru"],
        accessibility="Step-free; sign language interpretation on request (say so when you "
        "register); live captions online.",
        capacity=8,
        asks_dietary_needs=True,
        agenda=[
            {"starts_after_minutes": 0, "title": "Three sketches for the courtyards"},
            {"starts_after_minutes": 40, "title": "Table discussions (and online rooms)"},
            {"starts_after_minutes": 100, "title": "What each courtyard needs"},
        ],
    )
    for number, resident in enumerate(context.residents[:11]):
        registration.register(
            user=resident,
            workshop=workshop,
            dietary_needs="Vegetarian" if number % 4 == 1 else "",
        )


def _online_workshop(context: DemoContext) -> None:
    if _existing(context, ONLINE_TITLE) is not None:
        return
    today = timezone.localtime(timezone.now(), ZoneInfo(context.organisation.time_zone))
    starts = _local(context, today + timedelta(days=4), 19)
    budget = context.extra.get("budget_rounds", {}).get("voting")
    workshop = _create(
        context,
        title=ONLINE_TITLE,
        description="<p>Forty minutes with the budget team: how the vote works, how the "
        "money is shared between districts, and your questions.</p>",
        format=WorkshopFormat.ONLINE,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=40),
        online_url="https://meet.example.org/demo-city-budget-qa",
        languages=["en", "lv"],
        accessibility="Live captions; the recording is published with a transcript.",
        capacity=None,
        budget_round_id=budget.pk if budget else None,
    )
    for resident in context.residents[14:18]:
        registration.register(user=resident, workshop=workshop)


def _youth_workshop(context: DemoContext) -> None:
    if _existing(context, YOUTH_TITLE) is not None:
        return
    today = timezone.localtime(timezone.now(), ZoneInfo(context.organisation.time_zone))
    starts = _local(context, today + timedelta(days=11), 15)
    _create(
        context,
        title=YOUTH_TITLE,
        description="<p>For young people from 14: what would a place of your own in the city "
        "look like? What comes out goes to the youth council and into the ideas for next "
        "year's budget.</p>",
        format=WorkshopFormat.IN_PERSON,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Youth centre Kopa, upstairs",
        address="Skolas iela 5, Demo City",
        languages=["lv", "en"],
        accessibility="Step-free via the lift.",
        capacity=20,
        target_groups=["young"],
        minimum_age=14,
    )


@transaction.atomic
def seed(context: DemoContext) -> None:
    _past_workshop(context)
    _hybrid_workshop(context)
    _online_workshop(context)
    _youth_workshop(context)
