from django.apps import AppConfig


class FieldsConfig(AppConfig):
    name = "fields"
