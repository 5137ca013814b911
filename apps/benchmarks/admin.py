"""Admin for programs, benchmark jobs and the measurement cache.

Jobs and measurements are written by the engine; the admin shows them read-only where a hand
edit would make a cached figure lie.
"""
from django.contrib import admin

from .models import BenchmarkJob, Measurement, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("sha256", "language", "created_at")
    list_filter = ("language",)
    search_fields = ("=sha256",)
    readonly_fields = ("sha256", "created_at")
    date_hierarchy = "created_at"


@admin.register(BenchmarkJob)
class BenchmarkJobAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "program", "owner", "backend_name", "state", "status", "correct",
                    "progress_done", "progress_total", "agg_cost_s", "created_at")
    list_filter = ("state", "status", "backend_name", "correct")
    search_fields = ("=id", "=problem__id", "=program__sha256", "owner__username")
    autocomplete_fields = ("program", "problem", "owner")
    list_select_related = ("problem", "program", "owner")
    readonly_fields = ("created_at", "started_at", "finished_at", "compile_success", "compile_output",
                       "compiler_version", "binary_sha256", "status", "correct", "mean_accuracy", "agg_cost_s",
                       "results", "cache_hits", "progress_done", "progress_total", "backend_config")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("id", "program", "test_case", "backend_name", "status", "accuracy", "cost_s", "noisy",
                    "created_at")
    list_filter = ("backend_name", "status", "noisy", "checker")
    search_fields = ("=binary_sha256", "=test_sha256", "=program__sha256")
    autocomplete_fields = ("program", "test_case")
    list_select_related = ("program", "test_case")
    readonly_fields = ("binary_sha256", "test_sha256", "backend_name", "backend_version", "backend_config_key",
                       "backend_config", "checker", "status", "accuracy", "cost_s", "metrics", "noisy", "result",
                       "created_at")
    show_full_result_count = False
