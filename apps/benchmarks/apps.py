from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "apps.benchmarks"
    verbose_name = "Benchmarks"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
