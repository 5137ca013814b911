"""Admin for the dataset. Sized for full PIE: 78K pairs, 1.5K problems, 120K test cases.

Foreign keys to big tables use autocomplete widgets (a <select> of 78K pairs would not render),
changelists join what they display (``list_select_related``) and never count 78K rows twice,
and the counters that imports maintain are read-only here.
"""
from django.contrib import admin, messages
from django.utils.html import format_html

from .models import Pair, Problem, Split, TestCase
from .services import problem_stats_refresh, split_stats_refresh


class TestCaseInline(admin.TabularInline):
    model = TestCase
    fields = ("index", "origin", "input_size_bytes", "output_size_bytes", "input_sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0  # tests come from imports; the inline only lists them


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "source", "time_limit_ms", "memory_limit_kb", "pair_count", "test_count",
                    "median_speedup", "best_speedup")
    list_filter = ("source",)
    search_fields = ("id", "name")
    readonly_fields = ("pair_count", "test_count", "median_speedup", "best_speedup", "updated_at")
    fieldsets = (
        (None, {"fields": ("id", "name", "source", ("time_limit_ms", "memory_limit_kb"),
                           ("rating", "complexity"), "tags")}),
        ("Statement", {"fields": ("statement_html", "statement_translated_html"), "classes": ("collapse",)}),
        ("Counters (refreshed by imports)", {"fields": (("pair_count", "test_count"),
                                                         ("median_speedup", "best_speedup"), "updated_at")}),
    )
    inlines = [TestCaseInline]
    list_per_page = 100
    actions = ["refresh_counters"]

    @admin.action(description="Recount pairs, tests and speedups of the selected problems")
    def refresh_counters(self, request, queryset) -> None:
        count = problem_stats_refresh(problem_ids=queryset.values_list("id", flat=True))
        self.message_user(request, f"Refreshed the counters of {count} problems.", messages.SUCCESS)

    def get_readonly_fields(self, request, obj=None):
        # The id is the primary key and every pair points at it: fixed once created.
        return (*self.readonly_fields, "id") if obj is not None else self.readonly_fields


@admin.register(TestCase)
class TestCaseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "problem", "index", "origin", "input_size_bytes", "output_size_bytes")
    list_filter = ("origin",)
    search_fields = ("=problem__id", "sha256", "input_sha256")
    autocomplete_fields = ("problem",)
    list_select_related = ("problem",)
    readonly_fields = ("input_sha256", "output_sha256", "sha256", "input_size_bytes", "output_size_bytes",
                       "input_preview", "output_preview", "blob_paths")
    show_full_result_count = False
    ordering = ("problem_id", "index")

    @admin.display(description="blob files")
    def blob_paths(self, obj: TestCase) -> str:
        if not obj.pk:
            return "-"
        return format_html("input: <code>{}</code><br>output: <code>{}</code>", obj.input_path(), obj.output_path())


@admin.register(Split)
class SplitAdmin(admin.ModelAdmin):
    list_display = ("name", "pair_count", "description", "created_at", "updated_at")
    search_fields = ("name", "description")
    readonly_fields = ("pair_count", "created_at", "updated_at")
    actions = ["refresh_counters"]

    @admin.action(description="Recount the pairs of the selected splits")
    def refresh_counters(self, request, queryset) -> None:
        split_stats_refresh(split_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Refreshed {queryset.count()} splits.", messages.SUCCESS)


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "split", "src_id", "tgt_id", "speedup", "runtime_backend", "target_pct_bin",
                    "language", "src_length", "tgt_length")
    list_filter = ("split", "language", "runtime_backend", "target_pct_bin")
    search_fields = ("=problem__id", "=src_id", "=tgt_id", "=user_id", "key")
    autocomplete_fields = ("problem",)
    list_select_related = ("problem", "split")
    readonly_fields = ("src_length", "tgt_length", "created_at", "updated_at")
    show_full_result_count = False  # one COUNT(*) over 78K rows per page is enough
    ordering = ("-id",)  # the primary-key index; the model's (problem, id) order would sort
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("split", "problem", "key", "language", ("src_id", "tgt_id", "user_id"))}),
        ("Dataset runtimes", {"fields": (("src_runtime_s", "tgt_runtime_s", "runtime_backend"), "speedup",
                                         ("target_pct_bin", "src_pct_bin"), ("tests", "n_tests"))}),
        ("Programs", {"fields": ("src_code", "tgt_code", ("src_length", "tgt_length"))}),
        ("Other columns", {"fields": ("extra", ("created_at", "updated_at")), "classes": ("collapse",)}),
    )
