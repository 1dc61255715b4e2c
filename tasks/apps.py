from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from api.counters import register_repairer
        from tasks import registry
        from tasks.services import task_counts_recount

        registry.discover()  # every app's kinds.py: the docs below describe the kinds registered
        from tasks import docs  # noqa: F401  (rels, profiles, models, account-index links)

        register_repairer(task_counts_recount)
