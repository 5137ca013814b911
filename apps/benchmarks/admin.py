from django.contrib import admin

from .models import BenchmarkJob, Measurement, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("sha256", "language", "created_at")
    search_fields = ("sha256",)
    readonly_fields = ("sha256", "created_at")


@admin.register(BenchmarkJob)
class BenchmarkJobAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "backend_name", "state", "status", "correct", "agg_cost_s", "created_at")
    list_filter = ("state", "status", "backend_name")
    search_fields = ("problem__id", "program__sha256")
    raw_id_fields = ("program", "problem", "owner")
    readonly_fields = ("created_at", "started_at", "finished_at")


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("id", "backend_name", "status", "accuracy", "cost_s", "created_at")
    list_filter = ("backend_name", "status", "noisy")
    search_fields = ("binary_sha256", "test_sha256")
    raw_id_fields = ("program", "test_case")
