"""One settings module, driven by the environment (see README: Configuration)."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from api.logs import logging_config
from config import providers
from config.env import (
    ensure_dir,
    env_addresses,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_origins,
    env_smtp_servers,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
SECRET_KEY_MIN_LENGTH = 50
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    # It signs sessions and every tracking and unsubscribe token in sent mail.
    raise ImproperlyConfigured(
        f"SECRET_KEY has {len(SECRET_KEY)} characters; it needs at least {SECRET_KEY_MIN_LENGTH}: generate one with "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"` (and keep the old one in '
        "SECRET_KEY_FALLBACKS, so links in mail already sent keep working)"
    )
# Earlier keys, still accepted when reading signatures (Django's sessions; the tokens of mail already sent), never
# used to sign: how a key is changed without breaking every unsubscribe link in circulation. Comma-separated.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

PUBLIC_BASE_URL = env_url("PUBLIC_BASE_URL", schemes={"http", "https"}, default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "backoffice.apps.BackOfficeAdminConfig",  # Django's admin, its index the back office's dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # OpClass in an index's expression (subscribers' domain index); inert on SQLite
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's bundle, served from here: /api/docs/ needs no internet
    "django_rq",
    "api",
    "accounts",
    "lists",
    "subscribers",
    "fields",
    "tasks",
    "imports",
    "campaigns",
    "emails",
    "consent",
    "analytics",
    "segments",
    "preferences",
    "signup",
    "domains",
    "templates",
    "providers",
    "webhooks",
    "audit",
    "staff",  # back-office roles per account (api/roles.py checks them)
    "backoffice.apps.BackOfficeConfig",
    "exports",  # after the back office: its admin adds actions to the subscribers' admin the back office registers
]

MIDDLEWARE = [
    # Outermost: every answer, even a 413 from the next ones, is logged and gets the security headers.
    "api.middleware.RequestLogMiddleware",
    # Browsers' cross-origin calls: preflights are answered here, every answer (a 413, a 429) gets its headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.ContentSecurityPolicyMiddleware",
    # HTTP for link-following clients: rate-limit headers (after a 304's refund), ETag / 304 / HEAD, the Link
    # header from `_links`, OPTIONS with Allow.
    "api.middleware.RateLimitHeadersMiddleware",
    "api.conditional.ConditionalGetMiddleware",
    "api.link_header.LinkHeaderMiddleware",
    "api.options.OptionsMiddleware",
    # The admin's CSS and JavaScript, from gunicorn too (no separate static server to run).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.middleware.BodySizeLimitMiddleware",
    "api.middleware.QueryTextMiddleware",
    "api.middleware.ProblemMiddleware",
    # `/accounts/{a}/` and every known route written with a trailing slash: 308 to the route without it.
    "api.trailing_slash.TrailingSlashRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who acts, for the audit trail: none at first; the admin's staff user; the API key once authenticated.
    "api.audit.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
APPEND_SLASH = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, else the embedded SQLite file.
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "sqlite"})
if DATABASE_URL:
    try:
        # Health checks: a connection kept across requests is tested before reuse, so a PostgreSQL restart
        # costs no request a 500 (the dead connection is replaced); on PostgreSQL the test needs no query.
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that needs no query (config/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "config.postgresql"
        # An unreachable database fails a request (and /readyz) in seconds instead of hanging a worker.
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
            "DATABASE_CONNECT_TIMEOUT", 5, minimum=1
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # Job threads write while requests do: transactions take the write lock when they begin (no
            # "database is locked" on upgrading a read), wait up to 20 s for it, and readers do not block (WAL).
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Jobs: RQ on Redis when REDIS_URL is set, else run in-process (synchronously).
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss", "unix"})
JOBS_IN_PROCESS = REDIS_URL is None
# The app's own Redis clients (api.redis_client: requests, enqueues) give up fast: Redis is never the truth,
# and a hung Redis must not hold a request. RQ's workers block on their own connection (django-rq's).
REDIS_CONNECT_TIMEOUT_SECONDS = env_float("REDIS_CONNECT_TIMEOUT_SECONDS", 0.25, minimum=0.001)
REDIS_SOCKET_TIMEOUT_SECONDS = env_float("REDIS_SOCKET_TIMEOUT_SECONDS", 0.5, minimum=0.001)
REDIS_RETRY_AFTER_SECONDS = env_float("REDIS_RETRY_AFTER_SECONDS", 1.0, minimum=0)
_queue = {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}
# callbacks and webhooks: their own queues, so a slow receiver never delays an import or a send.
RQ_QUEUES = {name: dict(_queue) for name in ("default", "imports", "sending", "callbacks", "webhooks")}
# Both arm the stale-task sweeper; inline runs jobs without a fork per job (tasks/worker.py).
RQ_WORKER_MODE = env_choice("RQ_WORKER_MODE", {"inline", "fork"}, "inline")
RQ = {"WORKER_CLASS": {"inline": "tasks.worker.SimpleWorker", "fork": "tasks.worker.Worker"}[RQ_WORKER_MODE]}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Mail: SMTP when EMAIL_HOST is set, else files under var/mail/.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# Several SMTP servers, each with a weight and its own rate limits (campaigns/servers.py; config/env.py's
# env_smtp_servers gives the syntax). Unset: the one server of EMAIL_HOST, or files.
EMAIL_TRANSPORTS = env_smtp_servers("EMAIL_TRANSPORTS")
if EMAIL_TRANSPORTS and EMAIL_HOST:
    raise ImproperlyConfigured(
        "EMAIL_TRANSPORTS and EMAIL_HOST are both set: list every SMTP server in EMAIL_TRANSPORTS"
    )
# How long a server that faulted (refused or dropped the connection, timed out, 4xx on connect, refused our
# sender or login) is set aside, for every worker, while the others carry the mail.
SMTP_SERVER_COOLDOWN_SECONDS = env_int("SMTP_SERVER_COOLDOWN_SECONDS", 60, minimum=1)
# Each account's default sending limits, messages per second and per hour over a sliding window shared by every
# worker (0: none); an account's own limits (set in the back office) replace them (campaigns/throttle.py).
SEND_RATE_PER_SECOND = env_int("SEND_RATE_PER_SECOND", 0, minimum=0)
SEND_RATE_PER_HOUR = env_int("SEND_RATE_PER_HOUR", 0, minimum=0)
# Or an email service provider's HTTP API (campaigns/provider.py, through django-anymail): smtp (the servers above),
# amazon_ses, brevo, mailgun, mailjet, postmark, sendgrid, sparkpost, or test (anymail's in-memory backend). Its
# credentials and options are anymail's settings, each as an ANYMAIL_<NAME> variable (config/providers.py).
EMAIL_PROVIDER = env_choice("EMAIL_PROVIDER", {"smtp", *providers.PROVIDERS}, "smtp")
EMAIL_PROVIDERS = providers.BACKENDS
ANYMAIL = providers.env_anymail()
providers.provider_check(EMAIL_PROVIDER, ANYMAIL)
if EMAIL_PROVIDER != "smtp" and (EMAIL_HOST or EMAIL_TRANSPORTS):
    raise ImproperlyConfigured(
        f"EMAIL_PROVIDER is {EMAIL_PROVIDER} and {'EMAIL_HOST' if EMAIL_HOST else 'EMAIL_TRANSPORTS'} is set too: "
        "mail goes through one or the other"
    )
# The provider's API calls a campaign sender makes at once (also the most messages a crash can leave `unknown` per
# sender), and the provider's own sending limits (0: none), shared by every worker like an SMTP server's.
EMAIL_PROVIDER_CONNECTIONS = env_int("EMAIL_PROVIDER_CONNECTIONS", 4, minimum=1)
EMAIL_PROVIDER_PER_SECOND = env_int("EMAIL_PROVIDER_PER_SECOND", 0, minimum=0)
EMAIL_PROVIDER_PER_HOUR = env_int("EMAIL_PROVIDER_PER_HOUR", 0, minimum=0)
# Amazon SNS signing certificates kept on this machine (files named as the last part of their SigningCertURL):
# used instead of fetching them from sns.<region>.amazonaws.com (providers/sns.py). Unset: fetched, then cached.
SNS_CERTIFICATES_DIR = env_str("SNS_CERTIFICATES_DIR")
if EMAIL_PROVIDER != "smtp":
    EMAIL_BACKEND = EMAIL_PROVIDERS[EMAIL_PROVIDER]  # Django's own mail (the admin's) goes the same way
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
# The embedded database and the mail files live in VAR_DIR: created when missing (only when used, so a
# production machine with PostgreSQL and SMTP, or a provider, needs no writable ./var).
if not DATABASE_URL or not (EMAIL_HOST or EMAIL_TRANSPORTS or EMAIL_PROVIDER != "smtp"):
    ensure_dir("VAR_DIR", VAR_DIR)

# Request limits and API behaviour.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 100 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# JSON bodies of every view but the import (api/parsers.py): size, nesting, string length, members.
MAX_JSON_BODY_BYTES = env_int("MAX_JSON_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32, minimum=4)
MAX_JSON_STRING_LENGTH = env_int("MAX_JSON_STRING_LENGTH", 1024 * 1024, minimum=256)
MAX_JSON_ITEMS = env_int("MAX_JSON_ITEMS", 1000, minimum=10)
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 6000, minimum=1)
# Test sends of a campaign (each to at most 10 addresses) an account may make in an hour (campaigns/testsend.py).
TEST_SENDS_PER_HOUR = env_int("TEST_SENDS_PER_HOUR", 20, minimum=1)

# Indexed ("filterable") fields per account: each index makes its field's contacts filter fast and costs every
# import of the account's subscribers, and every change of anyone's fields its HOT update (docs/benchmarks.md).
FIELDS_INDEXED_MAX = env_int("FIELDS_INDEXED_MAX", 5, minimum=0)

# Background tasks and imports.
TASK_STALE_AFTER_SECONDS = env_int("TASK_STALE_AFTER_SECONDS", 300, minimum=1)
IMPORT_CHUNK_SIZE = env_int("IMPORT_CHUNK_SIZE", 20000, minimum=1)
# Chunks an import writes at once on PostgreSQL, each on its own connection (imports/threads.py); 1 writes them one
# after the other. The embedded default (SQLite) always writes one at a time.
IMPORT_WRITERS = env_int("IMPORT_WRITERS", 2, minimum=1)
# From how many rows still to import a PostgreSQL import reads and validates in a process of its own
# (imports/reader_process.py) rather than a thread of the job's.
IMPORT_READER_PROCESS_ROWS = env_int("IMPORT_READER_PROCESS_ROWS", 100_000, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000, minimum=1)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100, minimum=2)
# What an XLSX may expand to: a full Excel sheet (1,048,576 rows) of about five columns. Sheets are streamed;
# the shared strings are loaded whole (up to ~8 bytes of memory per byte), hence their own, lower cap.
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024, minimum=1024)
IMPORT_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_MAX_SHARED_STRINGS_BYTES", 16 * 1024 * 1024, minimum=1024)
# An XLSX's other parts openpyxl loads whole (styles, theme, workbook, relationships, properties), together.
IMPORT_MAX_OTHER_PARTS_BYTES = env_int("IMPORT_MAX_OTHER_PARTS_BYTES", 8 * 1024 * 1024, minimum=64 * 1024)
# A spreadsheet up to this size (expanded, for XLSX) is read whole before the 202 (~0.1 s); a bigger one gets the
# cheap checks there and is read whole by the job, where a bad file ends the task in error.
IMPORT_CHECK_BYTES = env_int("IMPORT_CHECK_BYTES", 512 * 1024, minimum=0)
# A file uploaded in the back office waits this long for its preview to be confirmed, then it is deleted.
IMPORT_STAGED_SECONDS = env_int("IMPORT_STAGED_SECONDS", 3600, minimum=60)
# Exports (exports/): rows per page (one COPY, one piece, one checkpoint); how long a download link lives (at
# least; its expiry is rounded up to a whole window); how long a finished export's file is kept; a pause after
# each page (tests).
EXPORT_CHUNK_ROWS = env_int("EXPORT_CHUNK_ROWS", 10000, minimum=1)
EXPORT_LINK_SECONDS = env_int("EXPORT_LINK_SECONDS", 3600, minimum=60)
EXPORT_RETENTION_SECONDS = env_int("EXPORT_RETENTION_SECONDS", 86400, minimum=60)
EXPORT_CHUNK_DELAY_MS = env_int("EXPORT_CHUNK_DELAY_MS", 0, minimum=0)
# Double opt-in: a confirmation link works, and a pending membership waits, this long after its last email; the
# resend action sends at most this many confirmation emails to one address in 24 hours.
DOUBLE_OPT_IN_HOURS = env_int("DOUBLE_OPT_IN_HOURS", 48, minimum=1)
DOUBLE_OPT_IN_RESENDS_PER_DAY = env_int("DOUBLE_OPT_IN_RESENDS_PER_DAY", 3, minimum=1)
# A signup form's public endpoint (/f/{key}): posts a minute from one IP address (an IPv6 /64), and to one form.
SIGNUP_POSTS_PER_IP = env_int("SIGNUP_POSTS_PER_IP", 10, minimum=1)
SIGNUP_POSTS_PER_FORM = env_int("SIGNUP_POSTS_PER_FORM", 300, minimum=1)
# Campaign sending: recipients claimed per batch, parallel sender jobs per campaign, retries of a 4xx.
CAMPAIGN_BATCH_SIZE = env_int("CAMPAIGN_BATCH_SIZE", 200, minimum=1)
CAMPAIGN_SENDERS = env_int("CAMPAIGN_SENDERS", 2, minimum=1)
# SMTP connections each campaign sender keeps open, sending one message on each in turn (also the most messages a
# crash can leave `unknown` per sender: one per connection).
SMTP_CONNECTIONS = env_int("SMTP_CONNECTIONS", 4, minimum=1)
SEND_MAX_ATTEMPTS = env_int("SEND_MAX_ATTEMPTS", 3, minimum=1)
SEND_RETRY_BACKOFF_SECONDS = env_int("SEND_RETRY_BACKOFF_SECONDS", 60, minimum=0)
SOFT_BOUNCE_THRESHOLD = env_int("SOFT_BOUNCE_THRESHOLD", 3, minimum=1)
# A message's preference page (preferences/) can add subscriptions (tick a list, resubscribe) for this long after
# the message was sent; leaving lists and unsubscribing work as long as the message exists.
PREFERENCES_SUBSCRIBE_DAYS = env_int("PREFERENCES_SUBSCRIBE_DAYS", 60, minimum=0)
# A sender whose SMTP server stays unreachable (or refuses the sender or login) this long ends the task in error;
# its messages stay queued, charged to nobody, and start resumes them.
SEND_FAULT_TIMEOUT_SECONDS = env_int("SEND_FAULT_TIMEOUT_SECONDS", 600, minimum=1)
# How long a claim's send journal (campaigns/journal.py) outlives a sender that died: recovery after this finds
# none and makes the whole claim unknown.
SEND_JOURNAL_TTL_SECONDS = env_int("SEND_JOURNAL_TTL_SECONDS", 7 * 24 * 3600, minimum=60)
# Shared secret of POST /api/v1/webhooks/bounces (unset: the webhook is off).
BOUNCE_WEBHOOK_SECRET = env_str("BOUNCE_WEBHOOK_SECRET")
# Sender identity (domains/): a fromEmail must be on a verified sending domain of the account unless this is on
# (off by default: a tenant cannot send as any domain; `make run`'s demo and the test suite turn it on).
ALLOW_UNVERIFIED_SENDERS = env_bool("ALLOW_UNVERIFIED_SENDERS", False)
# A campaign whose content has no {{ preferencesUrl }} gets a footer with it (and the unsubscribe link if it has none
# either): campaigns/footer.py. Off, the account's content goes as written.
CAMPAIGN_FOOTER = env_bool("CAMPAIGN_FOOTER", True)
# Where a domain's verification looks its records up: these nameservers (IP addresses) on DNS_PORT, or the
# system's resolver (/etc/resolv.conf) when empty; each lookup gives up after DNS_TIMEOUT_SECONDS.
DNS_NAMESERVERS = env_addresses("DNS_NAMESERVERS")
DNS_PORT = env_int("DNS_PORT", 53, minimum=1)
DNS_TIMEOUT_SECONDS = env_float("DNS_TIMEOUT_SECONDS", 5.0, minimum=0.1)
# The SPF mechanism a sending domain's SPF record should include for the SMTP relay (EMAIL_HOST), e.g.
# "_spf.relay.example.net"; empty: any SPF record passes the check.
SPF_INCLUDE = env_str("SPF_INCLUDE", "")
# Slows each campaign batch down by this many milliseconds: lets fault tests stop a sender mid-campaign.
CAMPAIGN_BATCH_DELAY_MS = env_int("CAMPAIGN_BATCH_DELAY_MS", 0, minimum=0)
# Slows each import chunk down by this many milliseconds: lets fault tests stop a worker mid-import.
IMPORT_CHUNK_DELAY_MS = env_int("IMPORT_CHUNK_DELAY_MS", 0, minimum=0)
CALLBACK_TIMEOUT_SECONDS = env_int("CALLBACK_TIMEOUT_SECONDS", 10, minimum=1)
CALLBACK_ATTEMPTS = env_int("CALLBACK_ATTEMPTS", 4, minimum=1)
CALLBACK_BACKOFF_SECONDS = env_int("CALLBACK_BACKOFF_SECONDS", 2, minimum=0)
# Callbacks (and webhooks) to private, loopback or link-local addresses are refused unless this is on.
CALLBACK_ALLOW_PRIVATE_ADDRESSES = env_bool("CALLBACK_ALLOW_PRIVATE_ADDRESSES", False)
# Outgoing webhooks (webhooks/): each attempt's whole time; retries from WEBHOOK_BACKOFF_SECONDS, doubling, until
# WEBHOOK_RETRY_HOURS after the event; an endpoint disabled after WEBHOOK_DISABLE_AFTER_FAILURES deliveries in a row
# failed for good; at most WEBHOOK_MAX_ENDPOINTS per account; the delivery log kept WEBHOOK_LOG_DAYS.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 24, minimum=1)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 5, minimum=1)
WEBHOOK_MAX_ENDPOINTS = env_int("WEBHOOK_MAX_ENDPOINTS", 20, minimum=1)
WEBHOOK_LOG_DAYS = env_int("WEBHOOK_LOG_DAYS", 30, minimum=1)
# The audit trail (audit/): entries older than AUDIT_RETENTION_DAYS are pruned by the sweeper's round (and by the
# prune_audit command, for cron).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves static files straight from the apps (found at start-up), so a deployment has no
# collectstatic step to forget; STATIC_ROOT is only for those who want to copy them elsewhere.
STATIC_ROOT = env_str("STATIC_ROOT")
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON first: the default for `*/*` and no Accept; a browser's `text/html` gets the browsable page.
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.HypermediaJSONRenderer", "api.browsable.BrowsableHTMLRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    # The representation is chosen by Accept only: no `?format=` (the OpenAPI schema would offer it everywhere).
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Email Marketing Hypermedia API",
    "DESCRIPTION": "Lists, subscribers, fields, tasks and campaigns. See apiary.apib for the hypermedia contract.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "api.openapi.add_registry_components",
        "api.openapi.add_body_problems",
        "api.openapi.add_http_semantics",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Logs: one JSON object per line (`make serve`) or readable text (`make run`); never an API key.
LOG_FORMAT = env_choice("LOG_FORMAT", {"json", "text"}, "text")
LOG_LEVEL = env_choice("LOG_LEVEL", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, "INFO")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# Security headers. HSTS is sent on HTTPS requests only (Django's SecurityMiddleware); behind a proxy
# that ends TLS, TRUST_X_FORWARDED_PROTO=true makes `X-Forwarded-Proto: https` count as HTTPS.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The proxy that ends TLS redirects plain HTTP (README: Deployment); its health checks come in over HTTP and
# must not be redirected. SECURE_SSL_REDIRECT=true makes the app redirect too.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# `check --deploy` warnings that are deployment decisions, not the app's: HSTS for every subdomain of the
# domain and browser preloading (near-irreversible) are for the domain's owner (SECURE_HSTS_INCLUDE_SUBDOMAINS,
# SECURE_HSTS_PRELOAD); the HTTP→HTTPS redirect is the proxy's (above).
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W008", "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A Content-Security-Policy for HTML pages without their own (the admin, the documentation pages).
# The admin runs no inline script; it and the documentation pages use inline styles.
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI: its bundle, styles and favicon are static files of drf-spectacular-sidecar (pinned), its start-up
# script is served from here (SpectacularSwaggerSplitView): nothing external, no inline script.
SWAGGER_UI_PATH = "/api/docs/"
SWAGGER_UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_FAILURE_VIEW = "api.handlers.csrf_failure"

# CORS (django-cors-headers) for browser clients on other origins: none allowed unless listed, comma-separated
# `scheme://host[:port]`. Keys go in `Authorization`, never in cookies, so no credentials mode.
CORS_ALLOWED_ORIGINS = env_origins("CORS_ALLOWED_ORIGINS")
# Not the signup forms' public endpoint: each form answers CORS for its own allowed origins (signup/public_views.py).
CORS_URLS_REGEX = r"^/(?!admin/|f/).*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-Request-ID",
    "Idempotent-Replayed",
)

# Cookies (the admin's session and CSRF token) only over HTTPS unless DEBUG; COOKIES_SECURE=false for a plain-HTTP
# deployment on a private network. Sessions are kept in the database and the admin's messages in the session:
# no cookie holds more than a session id.
COOKIES_SECURE = env_bool("COOKIES_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = COOKIES_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
