"""Factories for the whole suite. Named personas live in conftest.py."""

from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password

from engagement.people.models import District, Membership, Organisation, ResidentProfile, Role, User

TEST_PASSWORD = "correct horse battery staple"


@functools.cache
def _password_hash() -> str:
    # Argon2 is deliberately slow; hash once and share it between factory users.
    return make_password(TEST_PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.Sequence(lambda n: f"town-{n}")
    country = "LV"
    time_zone = "Europe/Riga"
    languages = factory.LazyFunction(lambda: ["lv", "en"])
    currency = "EUR"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.LazyFunction(_password_hash)


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    birth_year = 1990


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADMINISTRATOR


def staff(organisation: Organisation, *roles: str, **user_fields: object) -> User:
    """A user holding ``roles`` in ``organisation``."""
    user = UserFactory(**user_fields)
    for role in roles:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


# --- budgeting ------------------------------------------------------------------------------


class BudgetRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budgeting.BudgetRound"

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"round-{n}")
    title = factory.Sequence(lambda n: f"Participatory budget {n}")
    currency = factory.SelfAttribute("organisation.currency")
    verified_email_required = False


class DistrictBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budgeting.DistrictBudget"

    round = factory.SubFactory(BudgetRoundFactory)
    key = "city"
    name = "City-wide"
    budget = 100_000_00


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budgeting.Project"

    district_budget = factory.SubFactory(DistrictBudgetFactory)
    round = factory.SelfAttribute("district_budget.round")
    external_id = factory.Sequence(lambda n: f"p{n}")
    title = factory.Sequence(lambda n: f"Project {n}")
    cost = 10_000_00
    status = "on_ballot"


def voting_round(
    *,
    organisation: Organisation | None = None,
    budget: int = 100_000_00,
    costs: tuple[int, ...] = (40_000_00, 30_000_00, 20_000_00, 50_000_00),
    **settings: object,
):
    """A round in the voting phase with a city-wide budget and projects p1..pN."""
    from django.utils import timezone

    budget_round = BudgetRoundFactory(
        organisation=organisation or OrganisationFactory(),
        phase="voting",
        phase_changed_at=timezone.now(),
        **settings,
    )
    city = DistrictBudgetFactory(round=budget_round, budget=budget)
    for number, cost in enumerate(costs, start=1):
        ProjectFactory(district_budget=city, external_id=f"p{number}", cost=cost)
    return budget_round


def ballots_in_box(budget_round=None, district: str | None = None) -> list:
    """Every ballot (``ballot_box.BoxBallot``) of the round — of every round if none — sealed
    or opened, optionally of one district budget (by key)."""
    from budgeting.models import DistrictBudget
    from budgeting.services import ballot_box

    budgets = DistrictBudget.objects.all()
    if budget_round is not None:
        budgets = budgets.filter(round=budget_round)
    if district is not None:
        budgets = budgets.filter(key=district)
    return [ballot for d in budgets for ballot in ballot_box.district_ballots(d)]


# --- voters (eligibility facts) -------------------------------------------------------------


def verified_email(user: User, *, verified: bool = True):
    """The allauth address eligibility reads: ``verified=True`` unless told otherwise."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)


def residence(user: User, organisation: Organisation, district: District | None = None):
    """Where ``user`` lives within ``organisation`` (no district: resident, district unknown)."""
    from engagement.people.models import Residence

    return Residence.objects.create(user=user, organisation=organisation, district=district)


def eligible_voter(
    organisation: Organisation,
    *,
    district: District | None = None,
    birth_year: int | None = 1990,
    **user_fields: object,
) -> User:
    """A user who passes every eligibility rule: verified email, birth year, residence."""
    user = UserFactory(**user_fields)
    verified_email(user)
    ResidentProfileFactory(user=user, birth_year=birth_year)
    residence(user, organisation, district)
    return user


def district_voting_round(
    *,
    organisation: Organisation | None = None,
    citywide: int | None = 100_000_00,
    districts: tuple[str, ...] = ("north", "south"),
    district_budget: int = 50_000_00,
    projects_per_budget: int = 2,
    cost: int = 20_000_00,
    **settings: object,
):
    """A round in voting with an optional city-wide pot and one budget per named district.

    Each budget gets projects ``<key>-1``..``<key>-N``; the districts are real
    ``engagement.District`` rows of the organisation, with the key as slug.
    """
    from django.utils import timezone

    organisation = organisation or OrganisationFactory()
    budget_round = BudgetRoundFactory(
        organisation=organisation, phase="voting", phase_changed_at=timezone.now(), **settings
    )
    budgets = []
    if citywide is not None:
        budgets.append(DistrictBudgetFactory(round=budget_round, budget=citywide))
    for position, key in enumerate(districts, start=1):
        district, _created = District.objects.get_or_create(
            organisation=organisation, slug=key, defaults={"name": key.title()}
        )
        budgets.append(
            DistrictBudgetFactory(
                round=budget_round,
                key=key,
                name=district.name,
                district=district,
                budget=district_budget,
                position=position,
            )
        )
    for budget in budgets:
        for number in range(1, projects_per_budget + 1):
            ProjectFactory(district_budget=budget, external_id=f"{budget.key}-{number}", cost=cost)
    return budget_round


# --- notifications, implementation tracking -------------------------------------------------


def _content_type_of(instance: object):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(instance)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notification about ``target`` (default: another user, as a stand-in)."""

    class Meta:
        model = "engagement.Notification"

    recipient = factory.SubFactory(UserFactory)
    event = "idea.status_changed"
    content_type = factory.LazyAttribute(lambda o: _content_type_of(o.recipient))
    object_id = factory.SelfAttribute("recipient.pk")
    context = factory.LazyFunction(lambda: {"title": "Benches on the square"})


class ProjectFollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budgeting.ProjectFollow"

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)


def results_round(
    *,
    organisation: Organisation | None = None,
    phase: str = "results",
    selected: tuple[str, ...] = ("p1", "p2"),
    **settings: object,
):
    """A round whose results are out: projects p1..p4, ``selected`` ones selected."""
    from django.utils import timezone

    budget_round = voting_round(organisation=organisation, **settings)
    budget_round.phase = phase
    budget_round.phase_changed_at = timezone.now()
    budget_round.save(update_fields=["phase", "phase_changed_at"])
    for project in budget_round.projects.all():
        project.status = "selected" if project.external_id in selected else "not_selected"
        project.save(update_fields=["status"])
    return budget_round


# --- processes, ideas, discussion ----------------------------------------------------------


def _now():
    from django.utils import timezone

    return timezone.now()


class IdeaCollectionFactory(factory.django.DjangoModelFactory):
    """An idea collection (no money), collecting ideas unless told otherwise."""

    class Meta:
        model = "engagement.ParticipatoryProcess"

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "ideas"
    slug = factory.Sequence(lambda n: f"ideas-{n}")
    title = factory.Sequence(lambda n: f"Ideas for the square {n}")
    phase = "collecting"
    categories = factory.LazyFunction(lambda: ["green", "play", "culture"])


def budget_process(
    *,
    organisation: Organisation | None = None,
    phase: str = "proposals",
    districts: tuple[str, ...] = ("north",),
    citywide: bool = True,
    **round_settings: object,
):
    """A budget round in ``phase`` (city-wide pot and one budget per named district, each a
    real ``District`` of the organisation) with the idea process that follows it."""
    from django.utils import timezone

    from engagement.ideas.models import ParticipatoryProcess

    organisation = organisation or OrganisationFactory()
    budget_round = BudgetRoundFactory(
        organisation=organisation, phase=phase, phase_changed_at=timezone.now(), **round_settings
    )
    if citywide:
        DistrictBudgetFactory(round=budget_round)
    for position, key in enumerate(districts, start=1):
        district, _created = District.objects.get_or_create(
            organisation=organisation, slug=key, defaults={"name": key.title()}
        )
        DistrictBudgetFactory(
            round=budget_round,
            key=key,
            name=district.name,
            district=district,
            budget=50_000_00,
            position=position,
        )
    return ParticipatoryProcess.objects.create(
        organisation=organisation,
        kind="budget",
        budget_round=budget_round,
        slug=budget_round.slug,
        title=f"Ideas for {budget_round.title}",
        categories=["green", "play", "culture"],
    )


class IdeaFactory(factory.django.DjangoModelFactory):
    """A submitted (public) idea; ``status="draft", submitted_at=None`` for a draft."""

    class Meta:
        model = "engagement.Idea"

    process = factory.SubFactory(IdeaCollectionFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = "<p>Something good for the town.</p>"
    status = "submitted"
    submitted_at = factory.LazyFunction(_now)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "engagement.Comment"

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(UserFactory)
    body = "<p>Agreed.</p>"
