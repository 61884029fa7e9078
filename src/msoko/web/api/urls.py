from django.urls import path

from msoko.web.api.api import api

urlpatterns = [path("", api.urls)]
