import os

from django.core.wsgi import get_wsgi_application

from config.startup import explained

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A malformed setting stops gunicorn with one line naming it (config/startup.py).
application = explained(get_wsgi_application)
