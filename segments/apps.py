from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "segments"

    def ready(self):
        from segments import docs  # noqa: F401  (rels, profiles, models, account-index links)
