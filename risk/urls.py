from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.risk_overview, name="overview"),
    path("new/", views.assessment_form, name="new"),
    path("<int:assessment_pk>/", views.assessment_detail, name="detail"),
    path("<int:assessment_pk>/edit/", views.assessment_form, name="edit"),
    path("<int:assessment_pk>/submit/", views.submit, name="submit"),
    path("<int:assessment_pk>/decide/", views.decide, name="decide"),
]
