from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from cases import sign_in
from cases import views as case_views
from cases.auth_forms import GOVUKAuthenticationForm, GOVUKSetPasswordForm
from reviews.aftercare import views as aftercare_views
from reviews.journey import views as review_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:my_cases", permanent=False)),
    # Before cases.urls, whose "<pk>/<kind>/<record_pk>/" would otherwise match.
    path("cases/<int:pk>/risk/", include("risk.urls")),
    path("cases/<int:pk>/journey/", include("reviews.urls")),
    path("cases/<int:pk>/planning/", include("planning.urls")),
    path("cases/", include("cases.urls")),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(authentication_form=GOVUKAuthenticationForm),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Limited per address and per email address (cases.throttle).
    path("password-reset/", sign_in.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=GOVUKSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("decisions/", review_views.waiting_for_me, name="waiting_for_me"),
    path("reports/", include("reporting.urls")),
    path("tasks/", aftercare_views.my_tasks, name="my_tasks"),
    path("tasks/team/", aftercare_views.team_tasks, name="team_tasks"),
    path("session/keep-alive/", case_views.keep_session_alive, name="keep_session_alive"),
    path("healthz", case_views.healthcheck, name="healthcheck"),
    path("admin/", admin.site.urls),
]
