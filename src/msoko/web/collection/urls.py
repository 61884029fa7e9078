from django.urls import path

from msoko.web.collection import views

urlpatterns = [
    path("", views.index, name="collection-index"),
    path("open/", views.open_campaign, name="collection-open"),
    path("datasets/upload/", views.dataset_upload, name="collection-dataset-upload"),
    path("c/<int:pk>/", views.campaign_page, name="collection-campaign"),
    path("c/<int:pk>/completeness.xlsx", views.completeness_xlsx, name="collection-completeness-xlsx"),
    path("c/<int:pk>/template.xlsx", views.template_xlsx, name="collection-template"),
    path("c/<int:pk>/upload/", views.upload, name="collection-upload"),
    path("c/<int:pk>/accept/", views.accept_all, name="collection-accept-all"),
    path("c/<int:pk>/lock/", views.lock, name="collection-lock"),
    path("r/<int:pk>/", views.respondent_page, name="collection-respondent"),
    path("r/<int:pk>/save/", views.save, name="collection-save"),
    path("r/<int:pk>/submit/", views.submit, name="collection-submit"),
    path("r/<int:pk>/return/", views.return_for_work, name="collection-return"),
    path("r/<int:pk>/approve/", views.approve, name="collection-approve"),
    path("r/<int:pk>/accept/", views.accept, name="collection-accept"),
    path("r/<int:pk>/exception/", views.grant_exception, name="collection-exception"),
]
