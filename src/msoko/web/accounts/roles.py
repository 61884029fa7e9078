"""Roles, the scope level each is bound to, and what each may do.

A role never widens a scope: what a user may see is decided by the scope (msoko.web.access); the role
only says which actions they may take inside it.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    REGION_ADMIN = "region_admin", "администратор региона"
    REGIONAL_ANALYST = "regional_analyst", "региональный аналитик"
    REGIONAL_EXPERT = "regional_expert", "региональный эксперт"
    MUNICIPAL_COORDINATOR = "municipal_coordinator", "муниципальный координатор"
    SCHOOL_OPERATOR = "school_operator", "оператор образовательной организации"


SCOPE_LEVEL = {
    Role.REGION_ADMIN: "region",
    Role.REGIONAL_ANALYST: "region",
    Role.REGIONAL_EXPERT: "region",
    Role.MUNICIPAL_COORDINATOR: "municipality",
    Role.SCHOOL_OPERATOR: "organisation",
}


class Action(models.TextChoices):
    VIEW = "view", "просмотр"
    IMPORT_DATA = "import_data", "загрузка данных"
    MANAGE_REGISTRY = "manage_registry", "ведение реестра"
    MANAGE_USERS = "manage_users", "управление пользователями"
    EDIT_CYCLE = "edit_cycle", "ведение управленческого цикла"
    SCORE = "score", "экспертная оценка"
    FILL_FORMS = "fill_forms", "заполнение форм сбора"
    REVIEW_FORMS = "review_forms", "проверка и согласование форм сбора"
    ACCEPT_FORMS = "accept_forms", "приём форм и ведение кампаний сбора"
    CHAIR_EVALUATION = "chair_evaluation", "проведение оценки МУМ (председатель)"


ALLOWED = {
    Role.REGION_ADMIN: {Action.VIEW, Action.IMPORT_DATA, Action.MANAGE_REGISTRY, Action.MANAGE_USERS, Action.EDIT_CYCLE,
                        Action.CHAIR_EVALUATION},
    Role.REGIONAL_ANALYST: {Action.VIEW, Action.IMPORT_DATA, Action.EDIT_CYCLE},
    Role.REGIONAL_EXPERT: {Action.VIEW, Action.SCORE},
    Role.MUNICIPAL_COORDINATOR: {Action.VIEW, Action.IMPORT_DATA, Action.EDIT_CYCLE},
    Role.SCHOOL_OPERATOR: {Action.VIEW, Action.IMPORT_DATA},
}

# data collection (issue 15): who fills, who reviews (municipality), who accepts and runs campaigns (region)
ALLOWED[Role.REGION_ADMIN] |= {Action.FILL_FORMS, Action.REVIEW_FORMS, Action.ACCEPT_FORMS}
ALLOWED[Role.REGIONAL_ANALYST] |= {Action.FILL_FORMS, Action.REVIEW_FORMS, Action.ACCEPT_FORMS}
ALLOWED[Role.MUNICIPAL_COORDINATOR] |= {Action.FILL_FORMS, Action.REVIEW_FORMS}
ALLOWED[Role.SCHOOL_OPERATOR] |= {Action.FILL_FORMS}
# a school keeps its own ВСОКО cycle (issue 17); the municipality sees it, and keeps its own cycles aimed at it
ALLOWED[Role.SCHOOL_OPERATOR] |= {Action.EDIT_CYCLE}
