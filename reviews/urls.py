from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.journey_page, name="journey"),
    path("care-plan/<slug:step>/", views.approve, name="approve"),
    path("start-assessment/", views.start_assessment, name="start_assessment"),
    path("viability-consultation/", views.consultation, name="consultation"),
    path("not-pursued/", views.not_pursued, name="not_pursued"),
    path("confirmation/", views.move_to_confirmation, name="confirmation"),
    path("viability-meeting/", views.meeting, name="meeting"),
    path("disagreements/new/", views.dispute, name="dispute"),
    path("disagreements/<int:dispute_pk>/resolve/", views.resolve, name="resolve"),
]
