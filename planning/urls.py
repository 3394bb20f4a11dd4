from django.urls import path

from . import views

app_name = "planning"

# Included under cases/<int:pk>/planning/.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("meetings/add/", views.meeting_form, name="add_meeting"),
    path("meetings/<int:meeting_pk>/", views.meeting_form, name="edit_meeting"),
    path("agreements/add/", views.agreement_form, name="add_agreement"),
    path("agreements/<int:agreement_pk>/", views.agreement_form, name="edit_agreement"),
    path("goals/<int:goal_pk>/reviews/add/", views.goal_review_form, name="add_goal_review"),
    path(
        "goals/<int:goal_pk>/reviews/<int:review_pk>/",
        views.goal_review_form,
        name="edit_goal_review",
    ),
    path("placement-with-parents/approve/", views.pwp_approve, name="pwp_approve"),
    path("not-appropriate/<str:step>/", views.not_appropriate, name="not_appropriate"),
    path("print/<slug:document>/", views.family_document, name="family_document"),
]
