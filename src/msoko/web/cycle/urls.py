from django.urls import path

from msoko.web.cycle import views

urlpatterns = [
    path("", views.index, name="cycle-index"),
]
