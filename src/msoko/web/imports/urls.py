from django.urls import path

from msoko.web.imports import views

urlpatterns = [
    path("", views.imports_page, name="imports"),
    path("<str:import_id>/rollback/", views.rollback_view, name="import-rollback"),
]
