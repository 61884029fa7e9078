from django.urls import path

from msoko.web.jobs import views

urlpatterns = [
    path("<uuid:pk>/", views.job_page, name="job"),
    path("recompute/", views.recompute_start, name="recompute-start"),
]
