from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "emails"

    def ready(self):
        from campaigns.tracking import own_links_register
        from emails import docs  # noqa: F401  (rels, profiles, models and problems of /api/v1/emails)
        from emails.selectors import single_email_links

        own_links_register(single_email_links)  # tracked clicks of a single email redirect to its own links
