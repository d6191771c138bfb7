"""Django admin for SLA rows (read-mostly; the SLA pages at /metrics/sla/ are the real UI)."""

from django.contrib import admin

from metrics.models import SlaCalendar, SlaClock, SlaClockEvent, SlaClosure, SlaPolicy


@admin.register(SlaCalendar)
class SlaCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "always_open", "holiday_source", "revision")


@admin.register(SlaClosure)
class SlaClosureAdmin(admin.ModelAdmin):
    list_display = ("calendar", "starts_at", "ends_at", "reason")
    readonly_fields = ("calendar", "starts_at", "ends_at", "created_by", "created_at")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "family", "version", "is_current", "is_active", "position")
    list_filter = ("is_current", "is_active")


class SlaClockEventInline(admin.TabularInline):
    model = SlaClockEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "recorded_at", "reason", "elapsed", "due_at", "actor")
    exclude = ("emailed_at",)


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ("ticket", "metric", "state", "due_at", "breached_at")
    list_filter = ("metric", "state")
    raw_id_fields = ("ticket",)
    readonly_fields = [field.name for field in SlaClock._meta.fields]
    inlines = [SlaClockEventInline]
