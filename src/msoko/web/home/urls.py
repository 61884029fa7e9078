from django.urls import path

from msoko.web.home import views

urlpatterns = [
    path("", views.home, name="home"),
    path("region/<str:code>/", views.region_page, name="region"),
    path("municipality/<str:code>/", views.municipality_page, name="municipality"),
    path("organisation/<str:code>/", views.organisation_page, name="organisation"),
]
