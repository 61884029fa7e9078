from django.contrib import admin

from msoko.web.registry.models import AcademicYear, Municipality, Organisation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "municipality", "locality", "students"]
    list_filter = ["kind", "locality", "municipality", "advanced", "small_school"]
    search_fields = ["name", "code"]
    list_select_related = ["municipality"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year"]
