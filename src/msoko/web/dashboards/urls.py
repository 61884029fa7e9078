from django.urls import path

from msoko.web.dashboards import ratings_view, views

urlpatterns = [
    path("region/<str:code>/", views.region_page, name="region"),
    path("municipality/<str:code>/", views.municipality_page, name="municipality"),
    path("organisation/<str:code>/", views.organisation_page, name="organisation"),
    path("indicators/", views.indicator_index, name="indicators"),
    path("indicator/<str:code>/", views.indicator_page, name="indicator"),
    path("indicator/<str:code>/export.<str:fmt>", views.indicator_export, name="indicator-export"),
    path("ratings/", ratings_view.ratings_home, name="ratings-home"),
    path("ratings/<str:code>/", ratings_view.ratings_page, name="ratings"),
    path("ratings/<str:code>/export.<str:fmt>", ratings_view.ratings_export, name="ratings-export"),
]
