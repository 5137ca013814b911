"""Read-only API of the dataset: problems, splits, pairs and test cases."""
from __future__ import annotations

from rest_framework import viewsets

from ..models import Pair, Problem, Split, TestCase
from . import serializers
from .filters import PairFilter, ProblemFilter, TestCaseFilter
from .pagination import ApiPagination

#: Ids in URLs are bounded so that a huge number is a 404, not a database overflow.
INT_ID_REGEX = r"[0-9]{1,18}"


class ProblemViewSet(viewsets.ReadOnlyModelViewSet):
    """CodeNet problems. The list omits statements; ``/problems/{id}/`` includes them."""

    pagination_class = ApiPagination
    queryset = Problem.objects.all().order_by("id")
    filterset_class = ProblemFilter
    lookup_value_regex = r"[A-Za-z0-9_]{1,16}"

    def get_queryset(self):
        if self.action == "list":
            return self.queryset.defer("statement_html", "statement_translated_html")
        return self.queryset

    def get_serializer_class(self):
        return serializers.ProblemDetailSerializer if self.action == "retrieve" else serializers.ProblemSerializer


class SplitViewSet(viewsets.ReadOnlyModelViewSet):
    """Named dataset versions (train, val, test, ...)."""

    pagination_class = ApiPagination
    queryset = Split.objects.all().order_by("name")
    serializer_class = serializers.SplitSerializer
    lookup_field = "name"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,64}"


class PairViewSet(viewsets.ReadOnlyModelViewSet):
    """Slow->fast pairs. The list omits the programs; ``/pairs/{id}/`` includes them."""

    pagination_class = ApiPagination
    queryset = Pair.objects.select_related("split").order_by("id")
    filterset_class = PairFilter
    lookup_value_regex = INT_ID_REGEX

    def get_queryset(self):
        if self.action == "list":
            return self.queryset.defer("src_code", "tgt_code", "extra")
        return self.queryset

    def get_serializer_class(self):
        return serializers.PairDetailSerializer if self.action == "retrieve" else serializers.PairSerializer


class TestCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Test cases (hashes, sizes and previews; the contents live in the blob store)."""

    pagination_class = ApiPagination
    queryset = TestCase.objects.all().order_by("problem_id", "index")
    serializer_class = serializers.TestCaseSerializer
    filterset_class = TestCaseFilter
    lookup_value_regex = INT_ID_REGEX
