from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lists"

    def ready(self):
        from api.counters import register_repairer
        from lists import docs  # noqa: F401  (rels, profiles, models, account-index links)
        from lists.services import list_count_recount

        register_repairer(list_count_recount)
