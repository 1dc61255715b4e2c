from django.apps import AppConfig


class SignupConfig(AppConfig):
    name = "signup"
    verbose_name = "Signup forms"

    def ready(self):
        from signup import docs  # noqa: F401  (rels, profiles, models, problems, account-index links)
