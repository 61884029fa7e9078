from django.urls import path

from msoko.web.evaluation import views

urlpatterns = [
    path("", views.index, name="evaluation-index"),
    path("experts/", views.experts, name="evaluation-experts"),
    path("c/<int:pk>/", views.campaign_page, name="evaluation-campaign"),
    path("c/<int:pk>/action/<str:action>/", views.campaign_action, name="evaluation-campaign-action"),
    path("c/<int:pk>/disputes/", views.disputes, name="evaluation-disputes"),
    path("c/<int:pk>/ranking/", views.ranking, name="evaluation-ranking"),
    path("c/<int:pk>/statistics.xlsx", views.statistics_xlsx, name="evaluation-statistics"),
    path("c/<int:pk>/analysis.<str:fmt>", views.analysis_file, name="evaluation-analysis"),
    path("d/<int:pk>/", views.dossier_page, name="evaluation-dossier"),
    path("d/<int:pk>/submit/", views.dossier_submit, name="evaluation-submit"),
    path("d/<int:pk>/conclusion/", views.conclusion, name="evaluation-conclusion"),
    path("d/<int:pk>/conclusion.<str:fmt>", views.conclusion_file, name="evaluation-conclusion-file"),
    path("d/<int:pk>/appeal/", views.appeal, name="evaluation-appeal"),
    path("a/<int:pk>/", views.score_page, name="evaluation-score"),
    path("o/<int:pk>/decide/", views.decide, name="evaluation-decide"),
]
