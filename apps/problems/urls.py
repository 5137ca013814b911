from django.urls import path

from . import views

app_name = "problems"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<str:problem_id>/", views.problem_detail, name="problem_detail"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair_detail"),
]
