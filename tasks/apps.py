from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from tasks import docs  # noqa: F401  (rels, profiles, models, account-index links)
