from django.urls import path

from msoko.web.cycle import recommendations, views

urlpatterns = [
    path("", views.index, name="cycle-index"),
    path("due/", views.due, name="cycle-due"),
    path("e/<str:level>/<str:code>/", views.entity_page, name="cycle-entity"),
    path("c/<int:pk>/", views.cycle_detail, name="cycle-detail"),
    path("c/<int:pk>/add/<str:kind>/", views.item_add, name="cycle-add"),
    path("c/<int:pk>/draft-recommendations/", views.draft_recommendations, name="cycle-draft-recommendations"),
    path("c/<int:pk>/draft-review/", views.draft_review, name="cycle-draft-review"),
    path("c/<int:pk>/roadmap.xlsx", views.roadmap, name="cycle-roadmap"),
    path("item/<str:kind>/<int:pk>/edit/", views.item_edit, name="cycle-edit"),
    path("item/<str:kind>/<int:pk>/delete/", views.item_delete, name="cycle-delete"),
    path("recommendation/<int:pk>/issue/", views.issue_recommendation, name="cycle-issue"),
    path("recommendation/<int:pk>/", recommendations.recommendation_page, name="cycle-recommendation"),
    path("recommendation/<int:pk>/acknowledge/", recommendations.acknowledge, name="cycle-recommendation-acknowledge"),
    path("recommendation/<int:pk>/report/", recommendations.report, name="cycle-recommendation-report"),
    path("recommendation/<int:pk>/close/", recommendations.close, name="cycle-recommendation-close"),
    path("recommendation/<int:pk>/report-file/", recommendations.report_download, name="cycle-recommendation-file"),
    path("measure/<int:pk>/", views.measure_page, name="cycle-measure"),
    path("document/<int:pk>/download/", views.document_download, name="cycle-document"),
]
