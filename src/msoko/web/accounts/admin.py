from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from msoko.web.accounts.models import User


@admin.register(User)
class MsokoUserAdmin(UserAdmin):
    list_display = ["username", "role", "region", "municipality", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Роль и область доступа", {"fields": ["role", "region", "municipality", "organisation"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (
        ("Роль и область доступа", {"fields": ["role", "region", "municipality", "organisation"]}),
    )
