"""Pages for submissions, model runs, comparisons and the leaderboard (mounted at the site root)."""
from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("submit/", views.program_submit, name="program_submit"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/progress.json", views.submission_progress, name="submission_progress"),
    path("runs/", views.model_run_list, name="model_run_list"),
    path("runs/new/", views.model_run_new, name="model_run_new"),
    path("runs/compare/", views.model_run_compare, name="model_run_compare"),
    path("runs/<int:pk>/", views.model_run_detail, name="model_run_detail"),
    path("runs/<int:pk>/progress.json", views.model_run_progress, name="model_run_progress"),
    path("runs/<int:pk>/rows/<int:row_id>/", views.model_run_row_detail, name="model_run_row_detail"),
    path("runs/<int:pk>/export.<str:fmt>", views.model_run_export, name="model_run_export"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
