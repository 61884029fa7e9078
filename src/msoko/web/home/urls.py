from django.urls import path

from msoko.web.home import views

# The region, municipality and organisation pages live in msoko.web.dashboards (same URL names).
urlpatterns = [
    path("", views.home, name="home"),
]
