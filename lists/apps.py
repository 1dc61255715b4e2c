from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"

    def ready(self):
        from lists import docs  # noqa: F401  (rels, profiles, models, account-index links)
