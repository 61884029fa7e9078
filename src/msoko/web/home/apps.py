from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "msoko.web.home"
    label = "home"
    verbose_name = "Главная"
