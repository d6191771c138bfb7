"""factory_boy factories for every model the tests touch."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from teams.access import Role
from teams.models import Team, TeamMembership, User
from tickets.models import Category, Client, Message, ResolutionCode, Ticket, TicketEvent

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@desk.example")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(
                *[Group.objects.get_or_create(name=role.value)[0] for role in extracted]
            )
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = TeamMembership.Role.AGENT


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "desktop"
    name_en = "Desktop trading platform"
    name_zh_hant = "桌面交易平台"


class ResolutionCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResolutionCode
        django_get_or_create = ("slug",)

    slug = "fixed"
    name_en = "Fixed by agent"
    name_zh_hant = "客服已修正"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"client{n}@mail.example")
    account_number = factory.Sequence(lambda n: f"HK{n:08d}")
    language = "en"
    region = "HK"
    time_zone = "Asia/Hong_Kong"


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    client = factory.SubFactory(ClientFactory)
    category = factory.SubFactory(CategoryFactory)
    team = factory.SubFactory(TeamFactory)
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))
    updated_at = factory.LazyFunction(timezone.now)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    kind = Message.Kind.CLIENT
    body = factory.Faker("paragraph")
    body_html = factory.LazyAttribute(lambda message: f"<p>{message.body}</p>")
    created_at = factory.LazyFunction(timezone.now)


class TicketEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    action = "created"
    created_at = factory.LazyFunction(timezone.now)


class ResolvedTicketFactory(TicketFactory):
    """A ticket resolved an hour ago (code and summary set, as the database requires)."""

    status = Ticket.Status.RESOLVED
    resolution_code = factory.SubFactory(ResolutionCodeFactory)
    resolution_summary = "Restarted the client and cleared the cache."
    resolved_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class ClosedTicketFactory(ResolvedTicketFactory):
    """A ticket resolved and then closed."""

    status = Ticket.Status.CLOSED
    closed_at = factory.LazyFunction(timezone.now)
