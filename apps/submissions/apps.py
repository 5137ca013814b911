from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "apps.submissions"
    verbose_name = "Submissions and model runs"
