"""Admin for submissions, model runs, their rows, samples and scores.

Rows and samples reach into the big tables (pairs, jobs, programs), so every foreign key is an
autocomplete widget and every changelist joins what it shows.
"""
from django.contrib import admin

from .models import ModelRun, ModelRunRow, Sample, Score, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "owner", "visibility", "backend_name", "job", "created_at")
    list_filter = ("visibility", "backend_name")
    search_fields = ("=id", "=problem__id", "owner__username", "=program__sha256")
    autocomplete_fields = ("owner", "problem", "pair", "program", "job", "src_job", "tgt_job")
    list_select_related = ("problem", "owner", "job")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


class ScoreInline(admin.StackedInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ("k_max", "n_rows", "pct_opt", "mean_speedup", "pct_correct", "metrics", "created_at",
                       "updated_at")


@admin.register(ModelRun)
class ModelRunAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "split", "backend_name", "state", "visibility", "row_count",
                    "sample_count", "progress_done", "progress_total", "created_at")
    list_filter = ("state", "visibility", "backend_name", "split")
    search_fields = ("name", "description", "owner__username", "source_filename")
    autocomplete_fields = ("owner", "split")
    list_select_related = ("owner", "split")
    readonly_fields = ("row_count", "sample_count", "samples_per_row", "progress_done", "progress_total",
                       "created_at", "finished_at")
    date_hierarchy = "created_at"
    inlines = [ScoreInline]


@admin.register(ModelRunRow)
class ModelRunRowAdmin(admin.ModelAdmin):
    list_display = ("id", "model_run", "pair", "src_cost_s", "tgt_cost_s")
    search_fields = ("=model_run__id", "model_run__name", "=pair__id", "=pair__problem__id")
    autocomplete_fields = ("model_run", "pair", "src_job", "tgt_job")
    list_select_related = ("model_run", "pair")
    show_full_result_count = False


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    list_display = ("id", "row", "k", "status", "correct", "cost_s", "job")
    list_filter = ("status", "correct")
    search_fields = ("=row__model_run__id", "=row__pair__id", "=program__sha256")
    autocomplete_fields = ("row", "program", "job")
    list_select_related = ("row", "job")
    show_full_result_count = False


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ("model_run", "k_max", "n_rows", "pct_opt", "mean_speedup", "pct_correct", "updated_at")
    search_fields = ("model_run__name",)
    autocomplete_fields = ("model_run",)
    list_select_related = ("model_run",)
    readonly_fields = ("created_at", "updated_at")
