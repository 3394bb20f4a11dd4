from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("ssda903/", views.ssda903, name="ssda903"),
    path("ssda903/import/", views.import_return, name="ssda903_import"),
    path(
        "ssda903/prepared/<int:pk>/",
        views.prepared_download,
        name="ssda903_prepared",
    ),
    path("service-gaps/", views.service_gaps, name="service_gaps"),
    path("downloads/", views.downloads, name="downloads"),
]
