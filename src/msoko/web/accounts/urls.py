from django.contrib.auth import views as auth_views
from django.urls import path

from msoko.web.accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("users/", views.users_page, name="users"),
    path("users/<int:pk>/", views.user_page, name="user"),
    path("profile/", views.profile_page, name="profile"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
