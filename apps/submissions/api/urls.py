"""The REST API (mounted at /api/): dataset (read-only), submissions, model runs, jobs.

The router's root view is the browsable API's front page; the OpenAPI schema is at
/api/schema/ and Swagger UI at /api/docs/ (pieweb/urls.py).
"""
from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.problems.api.views import PairViewSet, ProblemViewSet, SplitViewSet, TestCaseViewSet

from .views import JobViewSet, MeView, ModelRunViewSet, SubmissionViewSet

app_name = "api"

router = DefaultRouter()
router.register("problems", ProblemViewSet, basename="problem")
router.register("splits", SplitViewSet, basename="split")
router.register("pairs", PairViewSet, basename="pair")
router.register("testcases", TestCaseViewSet, basename="testcase")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("model-runs", ModelRunViewSet, basename="model-run")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
