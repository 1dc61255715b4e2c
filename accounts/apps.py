from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from accounts import (
            docs,  # noqa: F401  (rels, profiles, models, account-index links)
            signals,  # noqa: F401  (cached keys invalidated on change)
        )
        from accounts.selectors import accounts_named
        from accounts.services import api_key_authenticate
        from api.auth import use_key_lookup
        from api.counters import register_account_finder

        use_key_lookup(api_key_authenticate)
        register_account_finder(accounts_named)
