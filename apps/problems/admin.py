from django.contrib import admin

from .models import Pair, Problem, Split, TestCase


class TestCaseInline(admin.TabularInline):
    model = TestCase
    fields = ("index", "origin", "input_size_bytes", "output_size_bytes", "input_sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "source", "time_limit_ms", "memory_limit_kb", "pair_count", "test_count", "best_speedup")
    list_filter = ("source",)
    search_fields = ("id", "name")
    readonly_fields = ("pair_count", "test_count", "median_speedup", "best_speedup", "updated_at")
    inlines = [TestCaseInline]


@admin.register(TestCase)
class TestCaseAdmin(admin.ModelAdmin):
    list_display = ("problem", "index", "origin", "input_size_bytes", "output_size_bytes")
    list_filter = ("origin",)
    search_fields = ("problem__id",)
    raw_id_fields = ("problem",)
    readonly_fields = ("input_sha256", "output_sha256", "sha256", "input_size_bytes", "output_size_bytes")


@admin.register(Split)
class SplitAdmin(admin.ModelAdmin):
    list_display = ("name", "pair_count", "created_at", "updated_at")
    search_fields = ("name", "description")
    readonly_fields = ("pair_count", "created_at", "updated_at")


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "split", "src_id", "tgt_id", "speedup", "target_pct_bin", "language")
    list_filter = ("split", "language", "target_pct_bin", "runtime_backend")
    search_fields = ("problem__id", "src_id", "tgt_id", "user_id")
    raw_id_fields = ("problem",)
    list_select_related = ("problem", "split")
    show_full_result_count = False
