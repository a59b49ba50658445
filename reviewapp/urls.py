from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from reviewapp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/token/", views.api_token, name="api_token"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<id:review_id>/", views.review_dashboard, name="review_dashboard"),
    path("reviews/<id:review_id>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<id:review_id>/members/", views.members, name="members"),
    path("reviews/<id:review_id>/members/add/", views.member_add, name="member_add"),
    path(
        "reviews/<id:review_id>/members/<id:member_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "reviews/<id:review_id>/members/<id:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("reviews/<id:review_id>/leave/", views.review_leave, name="review_leave"),
    path("reviews/<id:review_id>/", include("screening.urls")),
    path("reviews/<id:review_id>/", include("extraction.urls")),
    path("api/", include("reviewapp.api_urls")),
    path("admin/", admin.site.urls),
]

# A path that matches no route (an id past 64 bits is one) answers JSON under /api/.
handler404 = "reviewapp.views.not_found"
