"""People and teams: the user account, its preferences, and team membership."""

import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    """Languages the interface ships in."""

    ENGLISH = "en", "English"
    TRADITIONAL_CHINESE = "zh-hant", "繁體中文"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    """Users are identified by email address; there is no user name."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: staff (agent, supervisor, manager, administrator) or a client.

    The role is the Django group the user belongs to (see ``teams.access``); interface language and
    time zone are the user's own choices and are applied on every request.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Hong_Kong", validators=[validate_time_zone]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower("email")),
                name="user_email_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Team(models.Model):
    """A support team: a queue of tickets worked by its agents under its supervisors."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("team email"), blank=True)
    redistribute_when_away = models.BooleanField(
        _("redistribute open tickets when an agent goes away"), default=False, db_default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        permissions = [
            ("work_tickets", "Can work tickets of own teams"),
            ("supervise_team", "Can supervise own teams"),
            ("read_all", "Can read every team's data and all reports"),
            ("configure_desk", "Can configure the desk"),
            ("use_client_portal", "Can use the client portal"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A person's place in a team. An agent may belong to several teams."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role in team"), max_length=20, choices=Role.choices, default=Role.AGENT
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="membership_unique_per_team"),
        ]
        indexes = [models.Index(fields=["user", "team"], name="membership_user_team_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} ({self.get_role_display()})"


class Skill(models.Model):
    """Something an agent can do for a client: speak a language or support a product.

    Routing and the supervisor's coverage view match tickets (language, category) to agents
    through their ``AgentSkill`` rows. ``code`` is a stable slug (ISO 639-3 style for languages,
    e.g. ``yue`` for Cantonese; a product key such as ``desktop`` for products).
    """

    class Kind(models.TextChoices):
        LANGUAGE = "language", _("Language")
        PRODUCT = "product", _("Product")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name_en

    def localized_name(self, language_code: str) -> str:
        return self.name_zh_hant if language_code.startswith("zh") else self.name_en


class AgentSkill(models.Model):
    """How well one person has one skill: proficiency 1 (basic) to 5 (expert)."""

    MIN_PROFICIENCY = 1
    MAX_PROFICIENCY = 5

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="agent_skills")
    proficiency = models.PositiveSmallIntegerField(
        _("proficiency"), default=3, help_text=_("1 (basic) to 5 (expert)")
    )

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="agent_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(proficiency__gte=1) & models.Q(proficiency__lte=5),
                name="agent_skill_proficiency_1_5",
            ),
        ]
        indexes = [models.Index(fields=["skill", "proficiency"], name="agent_skill_skill_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill} ({self.proficiency})"


class AgentProfile(models.Model):
    """What routing needs to know about one agent besides skills: capacity and live status.

    ``status`` is set by the agent; outside every shift it is set to *away* automatically
    (``status_set_automatically`` tells which). ``last_assigned_at`` breaks ties in load
    balancing (longest since the last assignment first).
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("Busy")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    DEFAULT_CAPACITY = 12

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="agent_profile"
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=DEFAULT_CAPACITY,
        help_text=_("Most open tickets this agent may hold at once."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OFFLINE
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_set_automatically = models.BooleanField(default=False)
    last_assigned_at = models.DateTimeField(_("last assignment"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        indexes = [models.Index(fields=["status"], name="agent_profile_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_status_display()}"


class Shift(models.Model):
    """A weekly working interval in the agent's own time zone (``User.time_zone``).

    ``weekday`` is the day the shift starts (0 = Monday). A shift whose end is not after its
    start runs overnight into the next day (22:00–07:00).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["user", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="shift_weekday_0_6"),
            models.CheckConstraint(
                condition=~models.Q(starts_at=models.F("ends_at")), name="shift_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["user", "weekday"], name="shift_user_weekday_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.weekday} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class OneOnOneNote(models.Model):
    """A private note of a one-to-one conversation between an agent and a supervisor.

    Readable only by the agent and the supervisors of a team the agent belongs to
    (``teams.access.can_read_one_on_one_notes``); never by other agents or other teams'
    supervisors.
    """

    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_on_one_notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("1:1 note")
        verbose_name_plural = _("1:1 notes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "-created_at"], name="one_on_one_agent_idx")]

    def __str__(self) -> str:
        return f"1:1 · {self.agent} · {self.created_at:%Y-%m-%d}"


class TrainingCourse(models.Model):
    """A required course: who must take it (members of ``required_teams`` or holders of
    ``required_skills``) and how long a completion stays valid.

    ``validity_days`` set: a recurring course (an annual compliance refresher: 365); each
    completion is due again that many days later. Unset: a one-off course (a briefing for one
    platform release), done once completed. Someone newly required must complete it by
    ``due_by`` when set (a release date), else within ``due_within_days``.
    """

    name = models.CharField(_("course"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        help_text=_("Empty for a one-off course; 365 for an annual refresher."),
    )
    due_by = models.DateField(_("complete by"), null=True, blank=True)
    due_within_days = models.PositiveIntegerField(_("newcomers complete within (days)"), default=30)
    remind_days_before = models.PositiveIntegerField(_("remind (days before due)"), default=14)
    required_teams = models.ManyToManyField(
        Team, blank=True, related_name="required_courses", verbose_name=_("required for teams")
    )
    required_skills = models.ManyToManyField(
        Skill, blank=True, related_name="required_courses", verbose_name=_("required for skills")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingSession(models.Model):
    """One scheduled session of a course: when, who trains, where the materials are."""

    course = models.ForeignKey(TrainingCourse, on_delete=models.CASCADE, related_name="sessions")
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    trainer = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions_trained",
        verbose_name=_("trainer"),
    )
    materials_url = models.URLField(_("materials link"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="training_session_start_idx")]

    def __str__(self) -> str:
        return f"{self.topic} · {self.starts_at:%Y-%m-%d}"


class TrainingAttendance(models.Model):
    """One person at one session: attended, and completed the course there (or not)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_attendances")
    attended = models.BooleanField(_("attended"), default=False)
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_unique"),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(attended=True),
                name="attendance_completed_means_attended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.session}"


class TrainingRequirement(models.Model):
    """That one person must (still or again) complete one course, and by when.

    Kept in step by ``teams.services.training.training_requirements_sync`` (when a course,
    a membership or a skill changes, and hourly): rows exist for everyone a course requires.
    ``due_on`` is empty once a one-off course is completed; a recurring course's ``due_on`` is
    the last completion plus its validity. ``reminded_for`` is the due date the last reminder
    was sent for, so that each due date gets exactly one reminder.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_requirements")
    course = models.ForeignKey(
        TrainingCourse, on_delete=models.CASCADE, related_name="requirements"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    last_completed_on = models.DateField(_("last completed"), null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="training_requirement_unique"),
        ]
        indexes = [models.Index(fields=["due_on"], name="training_requirement_due_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course} · {self.due_on}"


class TrainingReminder(models.Model):
    """An in-app reminder that a course is due soon (shown on the person's training page; the
    same reminder goes by email). One per requirement and due date."""

    requirement = models.ForeignKey(
        TrainingRequirement, on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_reminders")
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "due_on"], name="training_reminder_once_per_due_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.due_on}"


class ApiToken(models.Model):
    """A personal API token: the sha256 of a random secret, shown to its owner once.

    ``scope`` *read* allows safe methods only (GET, HEAD, OPTIONS); *write* allows every method
    the owner's role allows. A token stops working when it expires, when it is revoked, or when
    its owner is deactivated (the authentication class checks ``user.is_active`` on every
    request; ``teams.services.user_deactivate`` also revokes every token at once).
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        _("prefix"), max_length=PREFIX_LENGTH, help_text="First characters, to recognise it."
    )
    digest = models.CharField(max_length=64, unique=True, help_text="sha256 of the secret, hex.")
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
