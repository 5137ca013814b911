from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = "Accounts and API tokens"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI description of token auth)
