from django.urls import path

from msoko.web.reports import views

urlpatterns = [
    path("", views.reports_index, name="reports"),
    path("file/<uuid:pk>/", views.report_download, name="report-download"),  # before the <scope>/<code> pattern
    path("<str:scope>/<str:code>/", views.report_page, name="report"),
]
