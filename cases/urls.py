from django.urls import path

from . import several, views

app_name = "cases"

urlpatterns = [
    path("", views.my_cases, name="my_cases"),
    path("new/", views.new_case, name="new"),
    path("team/", views.team_caseload, name="team"),
    path("team/<int:team_pk>/", views.team_caseload, name="team_detail"),
    path("<int:pk>/", views.case_overview, name="overview"),
    path("<int:pk>/audit/", views.case_audit, name="audit"),
    path("<int:pk>/child/", views.edit_child, name="edit_child"),
    path("<int:pk>/details/", views.edit_case, name="edit_case"),
    path("<int:pk>/allocate/", views.allocate, name="allocate"),
    path("<int:pk>/<slug:kind>/add/", views.record_form, name="add_record"),
    path("<int:pk>/<slug:kind>/add-several/", several.add_several, name="add_several"),
    path("<int:pk>/<slug:kind>/<int:record_pk>/", views.record_form, name="edit_record"),
]
