from django.apps import AppConfig


class SelfplayConfig(AppConfig):
    name = "apps.selfplay"
    verbose_name = "Self-play"
