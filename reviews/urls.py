from django.urls import path

from reviews.aftercare import after_return_views
from reviews.aftercare import views as aftercare_views
from reviews.journey import views
from reviews.supervision import views as supervision_views

app_name = "reviews"

urlpatterns = [
    path("", views.journey_page, name="journey"),
    path("care-plan/<slug:step>/", views.approve, name="approve"),
    path("start-assessment/", views.start_assessment, name="start_assessment"),
    path("viability-consultation/", views.consultation, name="consultation"),
    path("not-pursued/", views.not_pursued, name="not_pursued"),
    path("reopen-assessment/", views.reopen_assessment, name="reopen_assessment"),
    path("confirmation/", views.move_to_confirmation, name="confirmation"),
    path("viability-meeting/", views.meeting, name="meeting"),
    path("disagreements/new/", views.dispute, name="dispute"),
    path("disagreements/<int:dispute_pk>/resolve/", views.resolve, name="resolve"),
    path("aftercare/", aftercare_views.aftercare, name="aftercare"),
    path("return-home/", aftercare_views.record_return, name="return_home"),
    path("ceasing-care/", aftercare_views.ask_to_cease_care, name="ceasing_care"),
    path(
        "ceasing-care/decision/",
        aftercare_views.decide_ceasing_care,
        name="ceasing_care_decision",
    ),
    path("breakdown/", aftercare_views.record_breakdown, name="breakdown"),
    path("close/", aftercare_views.close, name="close"),
    path("reviews/new/", aftercare_views.record_review, name="review"),
    path(
        "reviews/<int:review_pk>/reunification/",
        aftercare_views.review_reunification,
        name="review_reunification",
    ),
    path("after-the-return/", after_return_views.after_return_overview, name="after_return"),
    path("after-the-return/step-down/", after_return_views.step_down_plan, name="step_down"),
    path(
        "after-the-return/step-down/agree/",
        after_return_views.agree_step_down_plan,
        name="step_down_agree",
    ),
    path("after-the-return/concerns/new/", after_return_views.record_concern, name="concern"),
    path(
        "after-the-return/home-assessment/",
        after_return_views.record_home_assessment,
        name="home_assessment",
    ),
    path("visits/new/", aftercare_views.record_visit, name="visit"),
    path(
        "recommendations/<int:recommendation_pk>/done/",
        aftercare_views.recommendation_done,
        name="recommendation_done",
    ),
    path("supervision/", supervision_views.supervision, name="supervision"),
    path("supervision/new/", supervision_views.record_supervision, name="record_supervision"),
    path(
        "supervision/actions/<int:action_pk>/done/",
        supervision_views.action_done,
        name="supervision_action_done",
    ),
]
