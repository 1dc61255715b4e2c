from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "fields"

    def ready(self):
        from fields import docs, signals  # noqa: F401  (registry entries; predefined fields)
