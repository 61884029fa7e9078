from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "МСОКО — администрирование"
admin.site.site_title = "МСОКО"
admin.site.index_title = "Реестр, пользователи и журнал изменений"
# The admin bypasses the scope gate, so only superusers enter it.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("msoko.web.accounts.urls")),
    path("imports/", include("msoko.web.imports.urls")),
    path("jobs/", include("msoko.web.jobs.urls")),
    path("reports/", include("msoko.web.reports.urls")),
    path("cycle/", include("msoko.web.cycle.urls")),
    path("collection/", include("msoko.web.collection.urls")),
    path("evaluation/", include("msoko.web.evaluation.urls")),
    path("api/v1/", include("msoko.web.api.urls")),
    path("", include("msoko.web.dashboards.urls")),
    path("", include("msoko.web.home.urls")),
]

# Russian error pages inside the site's layout (msoko.web.home.errors).
handler400 = "msoko.web.home.errors.bad_request"
handler403 = "msoko.web.home.errors.permission_denied"
handler404 = "msoko.web.home.errors.page_not_found"
handler500 = "msoko.web.home.errors.server_error"
