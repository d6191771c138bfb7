from django.contrib import admin

from tickets.models import Category, Client, ResolutionCode


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_zh_hant", "position", "is_active"]


@admin.register(ResolutionCode)
class ResolutionCodeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_en", "name_zh_hant", "is_active"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "account_number", "tier", "region"]
    search_fields = ["name", "email", "account_number"]
