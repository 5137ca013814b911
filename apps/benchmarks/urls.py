from django.urls import path

from . import views

app_name = "benchmarks"

urlpatterns = [
    path("jobs/<int:job_id>/", views.job_detail, name="job-detail"),
    path("jobs/<int:job_id>.json", views.job_json, name="job-json"),
    path("jobs/<int:job_id>/results/", views.job_results_fragment, name="job-results"),
]
