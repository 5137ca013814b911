from django.urls import path

from . import views

app_name = "problems"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search, name="search"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems.jsonl", views.problem_list_download, name="problem_list_download"),
    path("problems/<str:problem_id>/", views.problem_detail, name="problem_detail"),
    path(
        "problems/<str:problem_id>/tests/<int:index>/<str:which>.txt",
        views.testcase_download,
        name="testcase_download",
    ),
    path("pairs/", views.pair_list, name="pair_list"),
    path("pairs.jsonl", views.pair_list_download, name="pair_list_download"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("pairs/<int:pk>/benchmark/", views.pair_benchmark_create, name="pair_benchmark"),
    path("pairs/<int:pk>/benchmark.json", views.pair_benchmark_status, name="pair_benchmark_status"),
]
