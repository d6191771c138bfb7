"""Per-ticket SLA clocks: started, paused, resumed, fulfilled and stopped by ticket changes.

``on_ticket_change`` is registered with ``tickets.hooks`` in ``MetricsConfig.ready`` and runs
inside the transaction of every ticket write service, so clocks move in the same transaction as
the change that moves them. Rules (issue 5, ``docs/sla-calendars.md``):

* creation: the first current policy whose conditions match applies (remembered in
  ``SlaTicketPolicy``); clocks start for *first response* and *resolution*;
* a public reply by a person (``Message.Kind.REPLY`` with an author) fulfils *first response*,
  *next response* and the running *periodic update* (which restarts while the ticket still waits
  on an internal team); internal notes and automated notifications never do;
* a client message starts *next response* unless a reply clock is already waiting;
* Pending internal starts *periodic update*; leaving it stops that clock (not counted);
* Resolved fulfils *resolution* and stops the reply clocks; a reopen resumes *resolution*;
  Closed stops whatever still runs;
* each clock pauses while the ticket is in one of its pause statuses and resumes after.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics.models import (
    Metric,
    SlaClock,
    SlaClockEvent,
    SlaPolicy,
    SlaTarget,
    SlaTicketPolicy,
)
from supportdesk.errors import ApplicationError
from teams import access
from tickets import hooks
from tickets.models import Escalation, Message, Ticket

logger = logging.getLogger(__name__)

Status = Ticket.Status
State = SlaClock.State
Kind = SlaClockEvent.Kind
RUNNING_STATES = (State.RUNNING, State.BREACHED)


# --- Policy choice ----------------------------------------------------------------------------


def sla_policies_in_order() -> list[SlaPolicy]:
    """Current, active policies in the order they are tried, with conditions and targets."""
    return list(
        SlaPolicy.objects.filter(is_current=True, is_active=True)
        .prefetch_related(
            "categories",
            "teams",
            # The calendars joined to their targets: one query less than "targets__calendar".
            Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")),
        )
        .order_by("position", "family")
    )


def sla_policy_matching(
    *, ticket: Ticket, policies: list[SlaPolicy] | None = None
) -> SlaPolicy | None:
    """The first current, active policy (by position) whose conditions match ``ticket``."""
    for policy in sla_policies_in_order() if policies is None else policies:
        category_ids = {category.pk for category in policy.categories.all()}
        team_ids = {team.pk for team in policy.teams.all()}
        if policy.matches(ticket, category_ids=category_ids, team_ids=team_ids):
            return policy
    return None


def _targets(policy: SlaPolicy) -> dict[str, SlaTarget]:
    return {target.metric: target for target in policy.targets.all()}


# --- One clock's moves (the instance is changed and saved by the caller) -----------------------


def _event(
    clock: SlaClock,
    kind: str,
    at: datetime,
    *,
    reason: Any = "",
    actor: Any = None,
    now: datetime | None = None,
) -> SlaClockEvent:
    return SlaClockEvent(
        clock=clock,
        kind=kind,
        at=at,
        recorded_at=now or at,
        reason=str(reason)[:200],
        elapsed=clock.elapsed,
        due_at=clock.due_at,
        actor=actor,
    )


def _schedule(clock: SlaClock) -> None:
    """Work out ``due_at`` and ``warn_at`` of a running clock from ``since`` and ``elapsed``."""
    calendar = clock.calendar.business_calendar()
    remaining = clock.target - clock.elapsed
    if remaining > timedelta(0):
        clock.due_at = calendar.add_business_time(clock.since, remaining)
    elif clock.due_at is None:
        clock.due_at = clock.since
    threshold = clock.target * clock.warning_percent / 100
    if clock.warned_at is not None:
        clock.warn_at = None
    elif clock.elapsed >= threshold:
        clock.warn_at = clock.since
    else:
        clock.warn_at = calendar.add_business_time(clock.since, threshold - clock.elapsed)


def _bank(clock: SlaClock, at: datetime) -> None:
    """Add the business time of the running stretch ``[since, at)`` to ``elapsed``."""
    if clock.state in RUNNING_STATES and at > clock.since:
        calendar = clock.calendar.business_calendar()
        clock.elapsed += calendar.business_time_between(clock.since, at)
        clock.since = at


def _late_breach(clock: SlaClock, at: datetime, events: list[SlaClockEvent]) -> None:
    """A clock that passes its target between two sweeps is still breached (at its due time)."""
    if clock.breached_at is None and clock.elapsed > clock.target and clock.due_at is not None:
        clock.breached_at = clock.due_at
        events.append(_event(clock, Kind.BREACHED, clock.due_at, reason=_("found at fulfilment")))


def _periodic_target(ticket: Ticket, targets: dict[str, SlaTarget]) -> SlaTarget | None:
    """The periodic-update target while the ticket waits on an internal team: the interval a
    supervisor set on the open escalation (issue 4: "the SLA engine enforces it") when there is
    one, counted in the policy's periodic-update calendar (or its resolution calendar when the
    policy has no periodic target), else the policy's own target."""
    base = targets.get(Metric.PERIODIC_UPDATE)
    minutes = (
        Escalation.objects.filter(
            ticket=ticket, de_escalated_at__isnull=True, update_interval_minutes__isnull=False
        )
        .order_by("-escalated_at", "-id")
        .values_list("update_interval_minutes", flat=True)
        .first()
    )
    if minutes is None:
        return base
    template = base or targets.get(Metric.RESOLUTION) or targets.get(Metric.FIRST_RESPONSE)
    if template is None:
        return None
    return SlaTarget(
        policy_id=template.policy_id,
        metric=Metric.PERIODIC_UPDATE,
        calendar=template.calendar,
        target_seconds=minutes * 60,
        pause_statuses=list(base.pause_statuses) if base else [],
    )


def clock_start(
    *,
    ticket: Ticket,
    policy: SlaPolicy,
    target: SlaTarget,
    at: datetime,
    events: list[SlaClockEvent],
    reason: Any = "",
    persist: bool = True,
) -> SlaClock:
    """A new clock for ``target.metric`` from ``at`` (paused at once in a pause status).
    ``persist=False`` leaves the INSERT to the caller (the demo replay bulk-creates)."""
    clock = SlaClock(
        ticket=ticket,
        policy=policy,
        calendar=target.calendar,
        metric=target.metric,
        state=State.RUNNING,
        target=target.target,
        pause_statuses=list(target.pause_statuses),
        warning_percent=policy.warning_percent,
        started_at=at,
        since=at,
        elapsed=timedelta(0),
    )
    _schedule(clock)
    if persist:
        clock.save()
    events.append(_event(clock, Kind.STARTED, at, reason=reason))
    if ticket.status in clock.pause_statuses:
        clock_pause(clock=clock, at=at, reason=Status(ticket.status).label, events=events)
        if persist:
            clock.save()
    return clock


def clock_pause(*, clock: SlaClock, at: datetime, reason: Any, events: list[SlaClockEvent]) -> None:
    _bank(clock, at)
    clock.state = State.PAUSED
    clock.since = at
    clock.due_at = None
    clock.warn_at = None
    clock.pause_reason = str(reason)[:100]
    events.append(_event(clock, Kind.PAUSED, at, reason=reason))


def clock_resume(
    *, clock: SlaClock, at: datetime, reason: Any, events: list[SlaClockEvent]
) -> None:
    if clock.state == State.PAUSED:
        clock.paused_total += max(at - clock.since, timedelta(0))
    clock.state = State.BREACHED if clock.breached_at else State.RUNNING
    clock.since = at
    clock.stopped_at = None
    clock.pause_reason = ""
    _schedule(clock)
    events.append(_event(clock, Kind.RESUMED, at, reason=reason))


def clock_finish(
    *, clock: SlaClock, at: datetime, state: str, reason: Any, events: list[SlaClockEvent]
) -> None:
    """Fulfil or stop an open clock at ``at``."""
    _bank(clock, at)
    _late_breach(clock, at, events)
    clock.state = state
    clock.stopped_at = at
    clock.since = at
    clock.warn_at = None
    kind = Kind.FULFILLED if state == State.FULFILLED else Kind.STOPPED
    events.append(_event(clock, kind, at, reason=reason))


# --- The hook listener ------------------------------------------------------------------------


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


def sla_ticket_columns(clocks: list[SlaClock]) -> tuple[datetime | None, bool]:
    """``(sla_due_at, sla_breached)`` as the ticket's clocks say."""
    due_times = [clock.due_at for clock in clocks if clock.state in RUNNING_STATES and clock.due_at]
    due_at = min(due_times) if due_times else None
    breached = any(
        clock.breached_at is not None and clock.state in (State.BREACHED, State.PAUSED)
        for clock in clocks
    )
    return due_at, breached


def _refresh_ticket_columns(ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Keep ``Ticket.sla_due_at`` / ``sla_breached`` equal to what the clocks say."""
    due_at, breached = sla_ticket_columns(clocks)
    if ticket.sla_due_at != due_at or ticket.sla_breached != breached:
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due_at, sla_breached=breached)
        ticket.sla_due_at = due_at
        ticket.sla_breached = breached


def _open(clocks: list[SlaClock], metric: str) -> SlaClock | None:
    return next((clock for clock in clocks if clock.metric == metric and clock.is_open), None)


def _apply_messages(
    change: hooks.TicketChange,
    clocks: list[SlaClock],
    targets: dict[str, SlaTarget],
    policy: SlaPolicy,
    events: list[SlaClockEvent],
    touched: list[SlaClock],
    persist: bool = True,
) -> None:
    ticket = change.ticket
    for message in change.messages:
        at = message.created_at
        if message.kind == Message.Kind.REPLY and message.author_id is not None:
            for metric in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.PERIODIC_UPDATE):
                clock = _open(clocks, metric)
                if clock is not None:
                    clock_finish(
                        clock=clock,
                        at=at,
                        state=State.FULFILLED,
                        reason=_("public reply"),
                        events=events,
                    )
                    if persist:
                        clock.save()
                    touched.append(clock)
            periodic = (
                _periodic_target(ticket, targets)
                if ticket.status == Status.PENDING_INTERNAL
                else None
            )
            if periodic:
                clocks.append(
                    clock_start(
                        ticket=ticket,
                        policy=policy,
                        target=periodic,
                        at=at,
                        events=events,
                        reason=_("public update while waiting on an internal team"),
                        persist=persist,
                    )
                )
        elif message.kind == Message.Kind.CLIENT:
            waiting = _open(clocks, Metric.FIRST_RESPONSE) or _open(clocks, Metric.NEXT_RESPONSE)
            target = targets.get(Metric.NEXT_RESPONSE)
            if waiting is None and target is not None and ticket.is_open:
                clocks.append(
                    clock_start(
                        ticket=ticket,
                        policy=policy,
                        target=target,
                        at=at,
                        events=events,
                        reason=_("client message"),
                        persist=persist,
                    )
                )


def _apply_status(
    change: hooks.TicketChange,
    old: str,
    new: str,
    clocks: list[SlaClock],
    targets: dict[str, SlaTarget],
    policy: SlaPolicy,
    events: list[SlaClockEvent],
    touched: list[SlaClock],
    persist: bool = True,
) -> None:
    at = change.at
    label = _status_label(new)
    for clock in clocks:
        if new == Status.RESOLVED and clock.is_open:
            state = State.FULFILLED if clock.metric == Metric.RESOLUTION else State.STOPPED
            clock_finish(clock=clock, at=at, state=state, reason=label, events=events)
        elif new == Status.CLOSED and clock.is_open:
            clock_finish(clock=clock, at=at, state=State.STOPPED, reason=label, events=events)
        elif (
            old == Status.RESOLVED
            and new in Ticket.OPEN_STATUSES
            and clock.metric == Metric.RESOLUTION
            and clock.state == State.FULFILLED
            and not _open(clocks, Metric.RESOLUTION)
        ):
            clock_resume(clock=clock, at=at, reason=_("reopened"), events=events)
            if new in clock.pause_statuses:
                clock_pause(clock=clock, at=at, reason=label, events=events)
        elif old == Status.PENDING_INTERNAL and clock.metric == Metric.PERIODIC_UPDATE:
            if clock.is_open:
                clock_finish(
                    clock=clock,
                    at=at,
                    state=State.STOPPED,
                    reason=_("no longer waiting on an internal team"),
                    events=events,
                )
        elif clock.state in RUNNING_STATES and new in clock.pause_statuses:
            clock_pause(clock=clock, at=at, reason=label, events=events)
        elif clock.state == State.PAUSED and new not in clock.pause_statuses:
            clock_resume(clock=clock, at=at, reason=label, events=events)
        else:
            continue
        touched.append(clock)
    periodic = (
        _periodic_target(change.ticket, targets)
        if new == Status.PENDING_INTERNAL and not _open(clocks, Metric.PERIODIC_UPDATE)
        else None
    )
    if periodic:
        clocks.append(
            clock_start(
                ticket=change.ticket,
                policy=policy,
                target=periodic,
                at=at,
                events=events,
                reason=_("waiting on an internal team"),
                persist=persist,
            )
        )


def sla_clocks_for_new_ticket(
    *,
    ticket: Ticket,
    policy: SlaPolicy,
    at: datetime,
    events: list[SlaClockEvent],
    persist: bool = True,
) -> list[SlaClock]:
    """The clocks a new ticket starts with: first response and resolution, where targeted."""
    targets = _targets(policy)
    return [
        clock_start(
            ticket=ticket,
            policy=policy,
            target=targets[metric],
            at=at,
            events=events,
            persist=persist,
        )
        for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
        if metric in targets and ticket.is_open
    ]


def _start_policy(
    ticket: Ticket, at: datetime, events: list[SlaClockEvent]
) -> tuple[SlaPolicy | None, dict[str, SlaTarget], list[SlaClock]]:
    """The policy of a new ticket, its targets and the clocks it starts (inserted at once)."""
    policy = sla_policy_matching(ticket=ticket)
    if policy is None:
        return None, {}, []
    SlaTicketPolicy.objects.create(ticket=ticket, policy=policy, applied_at=at)
    _remember_sla()
    clocks = sla_clocks_for_new_ticket(
        ticket=ticket, policy=policy, at=at, events=events, persist=False
    )
    SlaClock.objects.bulk_create(clocks)
    return policy, _targets(policy), clocks


def sla_apply_change(
    change: hooks.TicketChange,
    *,
    clocks: list[SlaClock],
    targets: dict[str, SlaTarget],
    policy: SlaPolicy,
    events: list[SlaClockEvent],
    touched: list[SlaClock],
    persist: bool = True,
) -> None:
    """Move ``clocks`` (the ticket's, in memory) for one change: messages first, then the status
    change, as the write services order them. New clocks are appended to ``clocks``."""
    _apply_messages(change, clocks, targets, policy, events, touched, persist)
    status_change = change.status_change()
    if status_change is not None:
        _apply_status(change, *status_change, clocks, targets, policy, events, touched, persist)


class _TransactionMemo:
    """What this module learnt during the current transaction. It is registered as a no-op
    ``on_commit`` callback, and is valid while Django still holds that callback: commit and
    rollback clear them, and rolling back a savepoint drops those registered inside it (so a
    memo never outlives the rows it describes). The identity of the ``Atomic`` object would not
    do: a ``@transaction.atomic`` function reuses one object for every call."""

    def __init__(self) -> None:
        self.sla_tickets_present: bool | None = None
        # Tickets created in this transaction (nobody else can see them yet): their policy,
        # targets and clocks as written, so that later changes in the same transaction (the
        # first message of an inbound email) need no queries.
        self.new_tickets: dict[int, tuple[SlaPolicy | None, dict[str, SlaTarget], list[SlaClock]]]
        self.new_tickets = {}

    def __call__(self) -> None:
        """Nothing to do on commit."""


def _memo() -> _TransactionMemo | None:
    """This transaction's memo (``None`` outside a transaction: nothing is remembered)."""
    if not connection.in_atomic_block:
        return None
    memo = getattr(connection, "_sla_memo", None)
    if memo is not None and any(entry[1] is memo for entry in connection.run_on_commit):
        return memo
    memo = _TransactionMemo()
    connection._sla_memo = memo
    transaction.on_commit(memo)
    return memo


def _desk_has_sla_tickets() -> bool:
    """Whether any ticket has an SLA policy, asked once per transaction.

    A desk without SLAs then pays one query per transaction, not one per ticket, for changes
    that cannot move clocks (a bulk update of 50 tickets stays a constant number of queries).
    Only this module and the demo seed write ``SlaTicketPolicy``; they call ``_remember_sla``.
    """
    memo = _memo()
    if memo is not None and memo.sla_tickets_present is not None:
        return memo.sla_tickets_present
    present = SlaTicketPolicy.objects.exists()
    if memo is not None:
        memo.sla_tickets_present = present
    return present


def _remember_sla() -> None:
    memo = _memo()
    if memo is not None:
        memo.sla_tickets_present = None


def _forget_new_ticket(ticket_id: int) -> None:
    """Another path moved the ticket's clocks: read them from the database from now on."""
    memo = _memo()
    if memo is not None:
        memo.new_tickets.pop(ticket_id, None)


def on_ticket_change(change: hooks.TicketChange) -> None:
    """Move the ticket's clocks for ``change`` (inside the ticket's transaction)."""
    ticket = change.ticket
    status_change = change.status_change()
    interval_changed = "update_interval" in change.actions()
    if not (change.created or change.messages or status_change or interval_changed):
        return
    events: list[SlaClockEvent] = []
    memo = _memo()
    if change.created:
        policy, targets, clocks = _start_policy(ticket, change.at, events)
        SlaClockEvent.objects.bulk_create(events)
        _refresh_ticket_columns(ticket, clocks)
        if memo is not None:
            memo.new_tickets[ticket.pk] = (policy, targets, clocks)
        return
    known = memo.new_tickets.get(ticket.pk) if memo is not None else None
    if known is not None:
        # Created in this transaction: the clocks in memory are the rows (no other transaction
        # can see the ticket, so there is nothing to lock).
        found, targets, clocks = known
        if found is None:
            return
        policy = found
    else:
        if not _desk_has_sla_tickets():
            return
        assignment = SlaTicketPolicy.objects.filter(ticket=ticket).select_related("policy").first()
        if assignment is None:
            return
        policy = assignment.policy
        targets = {
            target.metric: target
            for target in SlaTarget.objects.filter(policy=policy).select_related("calendar")
        }
        clocks = list(
            SlaClock.objects.select_for_update(of=("self",))
            .filter(ticket=ticket)
            .select_related("calendar")
            .order_by("started_at", "id")
        )
    touched: list[SlaClock] = []
    sla_apply_change(
        change, clocks=clocks, targets=targets, policy=policy, events=events, touched=touched
    )
    if interval_changed:
        _retarget_periodic(change, clocks, targets, events, touched)
    for clock in {id(clock): clock for clock in touched}.values():
        clock.save()
    SlaClockEvent.objects.bulk_create(events)
    _refresh_ticket_columns(ticket, clocks)


def _retarget_periodic(
    change: hooks.TicketChange,
    clocks: list[SlaClock],
    targets: dict[str, SlaTarget],
    events: list[SlaClockEvent],
    touched: list[SlaClock],
) -> None:
    """A supervisor changed the escalation's update interval: the running periodic-update clock
    gets the new target and due time from now on (its banked time is kept)."""
    clock = _open(clocks, Metric.PERIODIC_UPDATE)
    periodic = _periodic_target(change.ticket, targets)
    if clock is None or periodic is None or clock.target == periodic.target:
        return
    clock.target = periodic.target
    if clock.state in RUNNING_STATES:
        _bank(clock, change.at)
        clock.since = change.at
        clock.due_at = None
        _schedule(clock)
    events.append(
        _event(
            clock,
            SlaClockEvent.Kind.DUE_CHANGED,
            change.at,
            reason=_("client update interval set to %(minutes)s minutes")
            % {"minutes": int(periodic.target.total_seconds() // 60)},
            actor=change.actor,
        )
    )
    touched.append(clock)


def on_ticket_changes(changes: Sequence[hooks.TicketChange]) -> None:
    """``on_ticket_change`` for the changes of one bulk edit, in a fixed number of queries.

    Reads every ticket's policy, targets and (locked) clocks at once, moves them in memory and
    writes them back with one ``bulk_update``; the rare clock a change starts is inserted by the
    clock code itself. Created tickets (never part of a bulk edit) go one by one.
    """
    relevant: list[hooks.TicketChange] = []
    for change in changes:
        if change.created:
            on_ticket_change(change)
        elif change.messages or change.status_change():
            relevant.append(change)
    if not relevant or not _desk_has_sla_tickets():
        return
    ticket_ids = [change.ticket.pk for change in relevant]
    for ticket_id in ticket_ids:
        _forget_new_ticket(ticket_id)
    policies = {
        assignment.ticket_id: assignment.policy
        for assignment in SlaTicketPolicy.objects.filter(ticket__in=ticket_ids).select_related(
            "policy"
        )
    }
    if not policies:
        return
    targets_by_policy: dict[int, dict[str, SlaTarget]] = defaultdict(dict)
    for target in SlaTarget.objects.filter(
        policy__in={policy.pk for policy in policies.values()}
    ).select_related("calendar"):
        targets_by_policy[target.policy_id][target.metric] = target
    clocks_by_ticket: dict[int, list[SlaClock]] = defaultdict(list)
    for clock in (
        SlaClock.objects.select_for_update(of=("self",))
        .filter(ticket__in=list(policies))
        .select_related("calendar")
        .order_by("ticket_id", "started_at", "id")
    ):
        clocks_by_ticket[clock.ticket_id].append(clock)
    events: list[SlaClockEvent] = []
    touched: list[SlaClock] = []
    moved_tickets: list[Ticket] = []
    for change in relevant:
        policy = policies.get(change.ticket.pk)
        if policy is None:
            continue
        clocks = clocks_by_ticket[change.ticket.pk]
        sla_apply_change(
            change,
            clocks=clocks,
            targets=targets_by_policy[policy.pk],
            policy=policy,
            events=events,
            touched=touched,
        )
        due_at, breached = sla_ticket_columns(clocks)
        if change.ticket.sla_due_at != due_at or change.ticket.sla_breached != breached:
            change.ticket.sla_due_at, change.ticket.sla_breached = due_at, breached
            moved_tickets.append(change.ticket)
    saved = list({id(clock): clock for clock in touched if clock.pk is not None}.values())
    if saved:
        SlaClock.objects.bulk_update(saved, _CLOCK_FIELDS)
    SlaClockEvent.objects.bulk_create(events)
    if moved_tickets:
        Ticket.objects.bulk_update(moved_tickets, ["sla_due_at", "sla_breached"])


_CLOCK_FIELDS = [field.name for field in SlaClock._meta.concrete_fields if not field.primary_key]


# --- Re-applying the current policy -------------------------------------------------------------


@transaction.atomic
def sla_policy_reapply(*, actor: Any, ticket: Ticket) -> SlaPolicy | None:
    """Move the ticket's open clocks to the current version of the first matching policy.

    Each open clock keeps the business time it has banked (counted in its old calendar up to
    now) and gets the new target, calendar, pause statuses and warning threshold; a clock whose
    metric the new policy has no target for is stopped. A warning or breach is re-armed when the
    new target puts it back in the future. Only supervisors of the ticket's team (and
    administrators) may do this.
    """
    if not access.can_manage_sla_of_team(actor, ticket.team_id):
        raise ApplicationError(
            _("Only a supervisor of the ticket's team may re-apply its SLA policy."),
            code="forbidden",
            status=403,
        )
    ticket = Ticket.objects.select_for_update().select_related("client").get(pk=ticket.pk)
    now = timezone.now()
    policy = sla_policy_matching(ticket=ticket)
    if policy is None:
        raise ApplicationError(
            _("No SLA policy matches this ticket."), code="no_policy", status=409
        )
    old = SlaTicketPolicy.objects.filter(ticket=ticket).select_related("policy").first()
    old_label = str(old.policy) if old else "—"
    _remember_sla()
    _forget_new_ticket(ticket.pk)
    SlaTicketPolicy.objects.update_or_create(
        ticket=ticket, defaults={"policy": policy, "applied_at": now}
    )
    targets = _targets(policy)
    events: list[SlaClockEvent] = []
    clocks = list(
        SlaClock.objects.select_for_update(of=("self",))
        .filter(ticket=ticket)
        .select_related("calendar")
    )
    reason = f"{old_label} → {policy}"
    for clock in clocks:
        if not clock.is_open:
            continue
        target = targets.get(clock.metric)
        if target is None:
            clock_finish(clock=clock, at=now, state=State.STOPPED, reason=reason, events=events)
            clock.save()
            continue
        _bank(clock, now)
        clock.policy = policy
        clock.calendar = target.calendar
        clock.target = target.target
        clock.pause_statuses = list(target.pause_statuses)
        clock.warning_percent = policy.warning_percent
        if clock.elapsed < clock.target * clock.warning_percent / 100:
            clock.warned_at = None
        if clock.elapsed <= clock.target and clock.breached_at is not None:
            clock.breached_at = None
            if clock.state == State.BREACHED:
                clock.state = State.RUNNING
        if clock.state in RUNNING_STATES:
            clock.due_at = None
            _schedule(clock)
        events.append(_event(clock, Kind.REAPPLIED, now, reason=reason, actor=actor))
        if clock.state in RUNNING_STATES and ticket.status in clock.pause_statuses:
            clock_pause(clock=clock, at=now, reason=_status_label(ticket.status), events=events)
        elif clock.state == State.PAUSED and ticket.status not in clock.pause_statuses:
            clock_resume(clock=clock, at=now, reason=reason, events=events)
        clock.save()
    metrics_seen = {clock.metric for clock in clocks}
    for metric in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
        needed = metric == Metric.RESOLUTION or ticket.first_public_reply_at is None
        if metric in targets and metric not in metrics_seen and needed and ticket.is_open:
            clocks.append(
                clock_start(
                    ticket=ticket,
                    policy=policy,
                    target=targets[metric],
                    at=now,
                    events=events,
                    reason=reason,
                )
            )
    SlaClockEvent.objects.bulk_create(events)
    _refresh_ticket_columns(ticket, clocks)
    logger.info("sla.reapplied", extra={"ticket_id": ticket.pk, "policy_id": policy.pk})
    return policy
