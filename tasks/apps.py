from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        from tasks import registry

        registry.discover()  # every app's kinds.py: the docs below describe the kinds registered
        from tasks import docs  # noqa: F401  (rels, profiles, models, account-index links)
