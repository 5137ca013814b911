"""REST API views: submissions, model runs (upload, scores, rows), benchmark jobs, the caller.

Thin: parse with a serializer, call one service or selector, serialize. Visibility is decided by
the selectors (another user's private item is a 404, exactly as on the pages). Creating a
submission or a model run is throttled under the ``submit`` scope (``THROTTLE_SUBMIT``).
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.problems.api.pagination import ApiPagination

from .. import selectors, services
from ..models import ModelRun
from ..services.uploads import upload_request_too_large
from . import serializers
from .filters import ModelRunFilter, SubmissionFilter

INT_ID_REGEX = r"[0-9]{1,18}"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


class _SubmitThrottled:
    """Mixin: ``create`` counts against the ``submit`` throttle scope."""

    throttle_scope: str | None = None

    def get_throttles(self):  # type: ignore[no-untyped-def]
        self.throttle_scope = "submit" if getattr(self, "action", None) == "create" else None
        return super().get_throttles()  # type: ignore[misc]


class MeView(APIView):
    """The authenticated caller (check a token with ``GET /api/me/``)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.get_username(), "email": user.email or "",
                         "is_staff": user.is_staff})


class SubmissionViewSet(
    _SubmitThrottled, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Single programs: your own and everyone's public ones. ``POST`` submits a program."""

    serializer_class = serializers.SubmissionSerializer
    pagination_class = ApiPagination
    lookup_value_regex = INT_ID_REGEX
    filterset_class = SubmissionFilter

    def get_queryset(self):
        return selectors.submission_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.submission_get_for_user(submission_id=int(self.kwargs["pk"]), user=self.request.user)

    @extend_schema(request=serializers.SubmissionCreateSerializer, responses={201: serializers.SubmissionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = serializers.SubmissionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            submission = services.program_submit(owner=request.user, **data.validated_data)
        except ValidationError as exc:
            raise exceptions.ValidationError({"detail": exc.messages}) from exc
        submission = selectors.submission_get_for_user(submission_id=submission.pk, user=request.user)
        return Response(serializers.SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class ModelRunViewSet(
    _SubmitThrottled, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Uploaded model runs. ``POST`` (multipart) uploads a jsonl; scoring starts by itself."""

    serializer_class = serializers.ModelRunSerializer
    pagination_class = ApiPagination
    lookup_value_regex = INT_ID_REGEX
    filterset_class = ModelRunFilter

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or self.request is None or self.request.method == "POST":
            return [MultiPartParser(), FormParser()]
        return super().get_parsers()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: the CSRF check of a session login would otherwise parse the body.
        if request.method == "POST":
            problem = upload_request_too_large(request.META.get("CONTENT_LENGTH"))
            if problem:
                raise PayloadTooLarge({"detail": problem, "errors": [problem]})
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.model_run_list_for_user(user=self.request.user)

    def _run(self) -> ModelRun:
        return selectors.model_run_get_for_user(model_run_id=int(self.kwargs["pk"]), user=self.request.user)

    def get_object(self):
        return self._run()

    @extend_schema(
        request={"multipart/form-data": serializers.ModelRunCreateSerializer},
        responses={201: serializers.ModelRunSerializer, 400: serializers.UploadErrorSerializer,
                   413: serializers.UploadErrorSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = serializers.ModelRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            run = services.model_run_upload(
                owner=request.user,
                file=fields["file"],
                name=fields["name"],
                description=fields.get("description", ""),
                split=fields["split"],
                backend=fields["backend"],
                visibility=fields["visibility"],
                columns=fields["columns"],
            )
        except services.ModelRunRejected as exc:
            return Response({"detail": "The upload was rejected; nothing was stored.", "errors": exc.errors},
                            status=status.HTTP_400_BAD_REQUEST)
        run = selectors.model_run_get_for_user(model_run_id=run.pk, user=request.user)
        return Response(serializers.ModelRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=serializers.ProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Scoring progress: ``progress_done`` of ``progress_total`` benchmark jobs finished."""
        run = self._run()
        finished = run.state in (ModelRun.State.DONE, ModelRun.State.FAILED)
        return Response({"id": run.pk, "state": run.state, "finished": finished, "progress_done": run.progress_done,
                         "progress_total": run.progress_total, "error": run.error})

    @extend_schema(responses={200: serializers.ScoreSerializer, 404: None})
    @action(detail=True, methods=["get"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        """PIE's metrics of a scored run (404 while it is being scored)."""
        score = selectors.score_get_for_user(model_run_id=int(pk or 0), user=request.user)
        return Response(serializers.ScoreSerializer(score).data)

    @extend_schema(
        responses=serializers.ModelRunRowSerializer(many=True),
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str | None = None) -> Response:
        """Per-row speedups at best@K, in upload order (404 while the run is being scored)."""
        run = self._run()
        if run.state != ModelRun.State.DONE:
            raise Http404("This run has no score yet.")
        rows = sorted(selectors.model_run_per_row(model_run=run), key=lambda r: r["row_id"])
        paginator = ApiPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializers.ModelRunRowSerializer(page, many=True).data)


class JobViewSet(viewsets.GenericViewSet):
    """Benchmark jobs (one program on one problem's tests). Visible through the items using them."""

    serializer_class = serializers.JobSerializer
    lookup_value_regex = INT_ID_REGEX
    filter_backends: list = []
    pagination_class = None

    def _job(self) -> Any:
        return selectors.job_get_for_user(job_id=int(self.kwargs["pk"]), user=self.request.user)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(serializers.JobSerializer(self._job()).data)

    @extend_schema(responses=serializers.ProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """``progress_done`` of ``progress_total`` tests evaluated."""
        job = self._job()
        return Response({"id": job.pk, "state": job.state, "finished": job.finished, "progress_done": job.progress_done,
                         "progress_total": job.progress_total, "error": job.error})
