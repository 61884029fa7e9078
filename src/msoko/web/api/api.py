"""The `/api/v1/` application: authentication, rate limits, Russian errors, and the resource modules.

Every module of this package that defines `router` is a resource, mounted at its `PREFIX` — a new resource
(forms, submissions, evaluation results…) is one new module, nothing else to register.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.throttling import AnonRateThrottle, UserRateThrottle

import msoko.web.api
from msoko.web.api.auth import AUTH

log = logging.getLogger(__name__)
USER_RATE = "1200/m"  # per user and server process: a script's polling, not a crawler
ANON_RATE = "60/m"

api = NinjaAPI(
    title="МСОКО API",
    version="1",
    description="Данные МСОКО для других систем: организации, показатели, объективность, списки ШНОР/ШНСУ, "
                "рейтинг, загрузки, пересчёт, справки, сбор данных (формы, ответы, полнота), итоги оценки МУМ. "
                "Доступ — по личному токену (`Authorization: Bearer`), в пределах области доступа пользователя, "
                "как на страницах. docs/api.md.",
    urls_namespace="api",
    auth=AUTH,
    throttle=[AnonRateThrottle(ANON_RATE), UserRateThrottle(USER_RATE)],
)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"detail": "Нужен токен: заголовок Authorization: Bearer …"}, status=401)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Не найдено или недоступно."}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": "Неверные параметры запроса.", "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc) if exc.status_code != 429 else "Слишком много запросов; повторите позже."
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Exception)
def _internal(request, exc):
    log.exception("API %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Внутренняя ошибка; данные не изменены. Сообщите администратору."},
                               status=500)


def _resources():
    for info in sorted(pkgutil.iter_modules(msoko.web.api.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"msoko.web.api.{info.name}")
        if hasattr(module, "router") and hasattr(module, "PREFIX"):
            yield module


for _module in _resources():
    api.add_router(_module.PREFIX, _module.router)
