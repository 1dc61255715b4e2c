from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from api.audit import writer_register
        from audit import admin_log, docs  # noqa: F401  (docs: rels, profiles, models, account-index links)
        from audit.services import audit_entry_write

        writer_register(audit_entry_write)
        admin_log.connect()
