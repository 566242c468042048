"""Creative Studio settings: every value comes from the environment.

The defaults are the embedded runtime (SQLite, filesystem Celery broker, local media under
``STUDIO_DATA_DIR``); production differs by values only (``DATABASE_URL``,
``CELERY_BROKER_URL``, ``AWS_STORAGE_BUCKET_NAME``, ``EMAIL_URL``, ``STRIPE_SECRET_KEY`` ...).
The full table is in README.md.
"""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
STUDIO_DATA_DIR = Path(env.str("STUDIO_DATA_DIR", default=str(BASE_DIR / ".studio"))).resolve()
STUDIO_DATA_DIR.mkdir(parents=True, exist_ok=True)

# True when no external database is configured: the single-machine, no-services runtime.
STUDIO_EMBEDDED = "DATABASE_URL" not in env


def _secret_key() -> str:
    """SECRET_KEY from the environment; the embedded runtime keeps a generated one on disk.

    A production deployment (``DATABASE_URL`` set) without DEBUG must set it explicitly.
    """
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if DEBUG:
        return "insecure-development-key-do-not-use-in-production"
    if STUDIO_EMBEDDED:
        key_file = STUDIO_DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
        'string (python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )


SECRET_KEY = _secret_key()


def _require(module: str, *, because: str) -> None:
    """Fail at start-up, naming the install line, when an integration's library is missing."""
    if importlib.util.find_spec(module) is None:
        raise ImproperlyConfigured(
            f"{because}, which needs the Python package {module!r}: "
            'pip install "creative-studio[production]"'
        )


ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "csp",
    "rest_framework",
    "drf_spectacular",
]
LOCAL_APPS = [
    "studio",
    "brands",
    "billing",
    "generations",
    "api",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "api.middleware.RequestIdMiddleware",
    "studio.middleware.ProbeMiddleware",
    "studio.middleware.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "studio.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studio.middleware.WorkspaceMiddleware",
    "studio.errors.AppErrorMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.context_processors.studio",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{STUDIO_DATA_DIR / 'studio.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _require("psycopg", because="DATABASE_URL points at PostgreSQL")
# A connection pool per process (PostgreSQL). The ASGI server runs each request's sync code in
# a thread of its own, so per-thread persistent connections would pile up; the pool hands a
# few connections around instead. studio/gunicorn_conf.py turns it on for the web workers.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
if DATABASE_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2, "max_size": DATABASE_POOL_MAX_SIZE, "timeout": 10}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded runtime has a web server and a worker writing to one file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------------------------
# Accounts (django-allauth)
# ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "studio.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "studio:dashboard"
ACCOUNT_ADAPTER = "studio.adapters.StudioAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Creative Studio] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Creative Studio"

# ---------------------------------------------------------------------------------------------
# E-mail: console in the embedded runtime, any backend via EMAIL_URL (smtp://user:pw@host:587)
# ---------------------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Creative Studio <studio@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ---------------------------------------------------------------------------------------------
# Static files and media
# ---------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(STUDIO_DATA_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from the source folders when collectstatic has not run (embedded runtime).
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(STUDIO_DATA_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _require("boto3", because="AWS_STORAGE_BUCKET_NAME switches media to S3")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_SIGNATURE_VERSION = "s3v4"  # signed URLs every region and S3-compatible server takes
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=3600)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest request body accepted at all: a 10 MB image, base64 in JSON (x 4/3) with the request
# around it. Larger is a 413 before any view runs (studio.middleware.RequestGuardMiddleware).
STUDIO_MAX_REQUEST_BYTES = env.int("STUDIO_MAX_REQUEST_BYTES", default=16 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = STUDIO_MAX_REQUEST_BYTES  # form fields and JSON, files aside
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Images that enter the studio (studio.images): uploads, scraped, API reference images.
STUDIO_IMAGE_MAX_UPLOAD_BYTES = env.int("STUDIO_IMAGE_MAX_UPLOAD_BYTES", default=10_000_000)
STUDIO_IMAGE_MAX_PIXELS = env.int("STUDIO_IMAGE_MAX_PIXELS", default=25_000_000)
# SVGs are drawn by a child process with these limits (address space, wall-clock seconds).
STUDIO_SVG_MEMORY_BYTES = env.int("STUDIO_SVG_MEMORY_BYTES", default=1024 * 1024 * 1024)
STUDIO_SVG_TIMEOUT_SECONDS = env.float("STUDIO_SVG_TIMEOUT_SECONDS", default=5.0)

# ---------------------------------------------------------------------------------------------
# Celery
# ---------------------------------------------------------------------------------------------
CELERY_BROKER_DIR = STUDIO_DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL == "filesystem://":  # kombu warns about the missing host name otherwise
    CELERY_BROKER_URL = "filesystem://localhost//"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        _require("redis", because="CELERY_BROKER_URL points at Redis")
    # Every Redis key the broker writes starts with this prefix, so several deployments (or a
    # test run on a shared server) can use one Redis database without touching each other.
    CELERY_BROKER_KEY_PREFIX = env.str("CELERY_BROKER_KEY_PREFIX", default="")
    if CELERY_BROKER_KEY_PREFIX and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_BROKER_KEY_PREFIX
# `celery beat` keeps its schedule state here, never in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(STUDIO_DATA_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
REDIS_URL = env.str("REDIS_URL", default="")

# Job time limits (seconds). A worker holds a concept (or a planning job, or a scrape) by a
# lease its heartbeat renews every lease/5 s; when the worker dies the lease runs out and the
# work is taken over. Then: how long a job or concept may sit queued with no worker taking it
# before the sweeper re-publishes it, and when a job is failed and refunded whatever happens.
STUDIO_RENDER_LEASE_SECONDS = env.float("STUDIO_RENDER_LEASE_SECONDS", default=10.0)
STUDIO_QUEUED_STALE_SECONDS = env.int("STUDIO_QUEUED_STALE_SECONDS", default=30)
# Every worker sweeps for lost work this often (0: only beat does), so recovery needs no beat.
STUDIO_WORKER_SWEEP_SECONDS = env.float("STUDIO_WORKER_SWEEP_SECONDS", default=3.0)
STUDIO_JOB_DEADLINE_SECONDS = env.int("STUDIO_JOB_DEADLINE_SECONDS", default=3600)
# First webhook retry after this many seconds, doubling up to an hour, for 24 hours.
STUDIO_WEBHOOK_RETRY_BASE_SECONDS = env.int("STUDIO_WEBHOOK_RETRY_BASE_SECONDS", default=30)
# Lifetime of the signed URLs handed out for rendered files.
STUDIO_FILE_URL_MAX_AGE = env.int("STUDIO_FILE_URL_MAX_AGE", default=7 * 24 * 3600)
# Style search: the shipped static model (numpy only), or the full MiniLM transformer
# (``pip install "creative-studio[search-full]"``).
STUDIO_SEARCH_MODEL = env.str("STUDIO_SEARCH_MODEL", default="static")
if STUDIO_SEARCH_MODEL not in ("static", "minilm"):
    raise ImproperlyConfigured(
        f"STUDIO_SEARCH_MODEL must be 'static' or 'minilm', not {STUDIO_SEARCH_MODEL!r}."
    )
# Expiries are rounded to this, so a file keeps one URL that long and browsers cache it.
STUDIO_FILE_URL_BUCKET_SECONDS = env.int("STUDIO_FILE_URL_BUCKET_SECONDS", default=3600)

# ---------------------------------------------------------------------------------------------
# Cache: Redis when configured, else local memory (one process per role in the embedded runtime)
# ---------------------------------------------------------------------------------------------
if REDIS_URL:
    _require("redis", because="REDIS_URL puts the cache in Redis")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------------------------
# REST framework and OpenAPI
# ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Creative Studio API",
    "DESCRIPTION": "Ad creatives as a service: statics, MP4 video ads and copy from your brand. "
                   "Every surface takes `Authorization: Bearer <key>` (Settings → API keys).\n\n"
                   "Agents: the same operations as MCP tools at `/mcp` (Streamable HTTP, the same "
                   "keys; docs/mcp.md): `generate_ads`, `get_delivery`, `cancel_job`, "
                   "`list_brands`, `get_brand`, `create_brand`, `list_styles`, `search_styles`, "
                   "`list_generation_catalog`, `get_balance`, `get_usage`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (static/swagger-ui/): no CDN.
    "SWAGGER_UI_DIST": STATIC_URL + "swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": STATIC_URL + "swagger-ui/favicon-32x32.png",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DeliveryStatusEnum": ["queued", "processing", "rendering", "completed", "failed",
                               "cancelled"],
        "BrandStatusEnum": ["Active", "Pending Onboarding", "Failed"],
    },
}
# Public API: per-key requests per minute (an ApiKey may override) and the largest JSON body.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_000_000)
# OpenAI-compatible surface: how long a synchronous images call (the openai SDK's default)
# waits for its job before answering 202 with the job to poll instead.
PI_SYNC_WAIT_SECONDS = env.int("PI_SYNC_WAIT_SECONDS", default=120)

# ---------------------------------------------------------------------------------------------
# Billing / Stripe: payments switch on when STRIPE_SECRET_KEY is set; without it credits come
# from the operator (admin, `grantcredits`). STRIPE_API_BASE points stripe-python at a
# Stripe-compatible test server.
# ---------------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: credits are granted only "
        "from verified webhooks. Set it to the endpoint's signing secret (whsec_...)."
    )
# Run the synchronous auto-recharge on its own connection so a caller's rolled-back
# transaction cannot lose a successful charge (PostgreSQL only).
BILLING_RECHARGE_ISOLATED = env.bool("BILLING_RECHARGE_ISOLATED", default=True)

# ---------------------------------------------------------------------------------------------
# Outbound HTTP (brand scrape, reference images, webhooks)
# ---------------------------------------------------------------------------------------------
STUDIO_OUTBOUND_ALLOW_LOOPBACK = env.bool("STUDIO_OUTBOUND_ALLOW_LOOPBACK", default=False)

# ---------------------------------------------------------------------------------------------
# Brands / scrape (brands.scrape: the SSRF-safe client and the website crawl)
# ---------------------------------------------------------------------------------------------
STUDIO_OUTBOUND_TIMEOUT = env.float("STUDIO_OUTBOUND_TIMEOUT", default=10.0)  # per request, s
STUDIO_OUTBOUND_MAX_BYTES = env.int("STUDIO_OUTBOUND_MAX_BYTES", default=5_000_000)
STUDIO_OUTBOUND_MAX_REDIRECTS = env.int("STUDIO_OUTBOUND_MAX_REDIRECTS", default=5)
BRANDS_SCRAPE_TIMEOUT_SECONDS = env.float("BRANDS_SCRAPE_TIMEOUT_SECONDS", default=10.0)
BRANDS_SCRAPE_BUDGET_SECONDS = env.float("BRANDS_SCRAPE_BUDGET_SECONDS", default=90.0)
BRANDS_SCRAPE_MAX_PAGES = env.int("BRANDS_SCRAPE_MAX_PAGES", default=10)
BRANDS_SCRAPE_IMAGES_PER_PRODUCT = env.int("BRANDS_SCRAPE_IMAGES_PER_PRODUCT", default=2)
BRANDS_SCRAPE_MAX_IMAGE_BYTES = env.int("BRANDS_SCRAPE_MAX_IMAGE_BYTES", default=8_000_000)
# Dotted path to a callable that describes a brand's voice from its site's text (see
# brands.scrape.crawl); empty: heuristics only.
BRANDS_VOICE_DESCRIBER = env.str("BRANDS_VOICE_DESCRIBER", default="")

# ---------------------------------------------------------------------------------------------
# Model providers (generations.providers): each switches on when its base URL or key is set
# ---------------------------------------------------------------------------------------------
def _provider(name: str, *, base_url: str, model: str, timeout: float = 60.0,
              auth: tuple[str, str] = ("Authorization", "Bearer {key}")) -> dict:
    """One provider's settings from ``PROVIDER_<NAME>_*``. The base URL is operator
    configuration (a vendor, or a model server on this machine or network), so it is trusted
    the way ``DATABASE_URL`` is; only URLs that come from users go through the SSRF-safe
    client. ``auth`` is the header carrying the key (OpenAI: Bearer; Gemini: ``x-goog-api-key``;
    fal: ``Authorization: Key …``)."""
    prefix = f"PROVIDER_{name}_"
    key = env.str(prefix + "API_KEY", default="")
    url = env.str(prefix + "BASE_URL", default="")
    return {
        "name": name.lower(),
        "enabled": bool(key or url),
        "base_url": (url or base_url).rstrip("/"),
        "api_key": key,
        "model": env.str(prefix + "MODEL", default=model),
        "timeout": env.float(prefix + "TIMEOUT_SECONDS", default=timeout),
        "connect_timeout": env.float(prefix + "CONNECT_TIMEOUT_SECONDS", default=5.0),
        "max_retries": env.int(prefix + "MAX_RETRIES", default=2),
        "concurrency": env.int(prefix + "CONCURRENCY", default=4),
        # A model server of your own costs nothing per call; a vendor key does.
        "paid": env.bool(prefix + "PAID", default=bool(key)),
        "cost_per_call_usd": env.float(prefix + "COST_PER_CALL_USD", default=0.0),
        "auth_header": auth,
    }


PROVIDERS = {
    # OpenAI-compatible chat completions (OpenAI, llama.cpp, Ollama, vLLM): copy, brand reading
    "chat": {**_provider("CHAT", base_url="https://api.openai.com/v1", model="gpt-4o-mini",
                         timeout=30.0),
             # json_schema (structured outputs) or json_object (servers with JSON mode only)
             "response_format": env.str("PROVIDER_CHAT_RESPONSE_FORMAT", default="json_schema")},
    # OpenAI moderation (POST /moderations): the inference surface's content_moderation
    "moderation": _provider("MODERATION", base_url="https://api.openai.com/v1",
                            model="omni-moderation-latest", timeout=15.0),
}
if PROVIDERS["chat"]["response_format"] not in ("json_schema", "json_object"):
    raise ImproperlyConfigured("PROVIDER_CHAT_RESPONSE_FORMAT must be json_schema or "
                               "json_object.")
PROVIDER_BREAKER_FAILURES = env.int("PROVIDER_BREAKER_FAILURES", default=5)
PROVIDER_BREAKER_COOLDOWN_SECONDS = env.float("PROVIDER_BREAKER_COOLDOWN_SECONDS", default=30.0)
PROVIDER_BACKOFF_BASE_SECONDS = env.float("PROVIDER_BACKOFF_BASE_SECONDS", default=0.5)
PROVIDER_RETRY_AFTER_MAX_SECONDS = env.float("PROVIDER_RETRY_AFTER_MAX_SECONDS", default=20.0)
PROVIDER_MAX_RESPONSE_BYTES = env.int("PROVIDER_MAX_RESPONSE_BYTES", default=40_000_000)

# Media providers: images, image-to-video and speech. Default costs are the vendors' list
# prices (per image, per second of video, per 1,000 characters); override them for your plan.
PROVIDERS.update({
    # OpenAI Images (POST /images/generations, /images/edits): gpt-image-1
    "openai_images": {**_provider("OPENAI_IMAGES", base_url="https://api.openai.com/v1",
                                  model="gpt-image-1", timeout=120.0),
                      "cost_per_call_usd": env.float("PROVIDER_OPENAI_IMAGES_COST_PER_CALL_USD",
                                                     default=0.042)},
    # Google Gemini generateContent with image parts: nano-banana-2 / gemini-2.5-flash-image
    "gemini": {**_provider("GEMINI", base_url="https://generativelanguage.googleapis.com/v1beta",
                           model="gemini-2.5-flash-image", timeout=120.0,
                           auth=("x-goog-api-key", "{key}")),
               "cost_per_call_usd": env.float("PROVIDER_GEMINI_COST_PER_CALL_USD",
                                              default=0.039)},
    # A hosted video-model queue in fal.ai's protocol (submit → poll → fetch): kling, veo
    "video_queue": {**_provider("VIDEO_QUEUE", base_url="https://queue.fal.run",
                                model="fal-ai/kling-video/v3/pro/image-to-video",
                                timeout=30.0, auth=("Authorization", "Key {key}")),
                    "endpoints": {
                        "kling-v3-pro": env.str("PROVIDER_VIDEO_QUEUE_KLING_ENDPOINT",
                                                default="fal-ai/kling-video/v3/pro/"
                                                "image-to-video"),
                        "veo": env.str("PROVIDER_VIDEO_QUEUE_VEO_ENDPOINT",
                                       default="fal-ai/veo3.1/first-last-frame-to-video"),
                        "hosted-video": env.str("PROVIDER_VIDEO_QUEUE_HOSTED_ENDPOINT",
                                                default="fal-ai/kling-video/v2.1/pro/"
                                                "image-to-video")},
                    "poll_seconds": env.float("PROVIDER_VIDEO_QUEUE_POLL_SECONDS", default=3.0),
                    "max_wait_seconds": env.float("PROVIDER_VIDEO_QUEUE_MAX_WAIT_SECONDS",
                                                  default=900.0),
                    "cost_per_second_usd": env.float("PROVIDER_VIDEO_QUEUE_COST_PER_SECOND_USD",
                                                     default=0.112)},
    # OpenAI-compatible POST /audio/speech: voice-over for UGC scripts
    "speech": {**_provider("SPEECH", base_url="https://api.openai.com/v1",
                           model="gpt-4o-mini-tts", timeout=60.0),
               "voice": env.str("PROVIDER_SPEECH_VOICE", default="alloy"),
               "format": env.str("PROVIDER_SPEECH_FORMAT", default="mp3"),
               "cost_per_1k_chars_usd": env.float("PROVIDER_SPEECH_COST_PER_1K_CHARS_USD",
                                                  default=0.015)},
})
# When an image or video provider fails after its retries (or its breaker is open): "fallback"
# renders with the local engine and refunds the price difference; "fail" fails the concept.
PROVIDER_MEDIA_FAILURE = env.str("PROVIDER_MEDIA_FAILURE", default="fallback")
if PROVIDER_MEDIA_FAILURE not in ("fallback", "fail"):
    raise ImproperlyConfigured('PROVIDER_MEDIA_FAILURE must be "fallback" or "fail" '
                               f"(it is {PROVIDER_MEDIA_FAILURE!r}).")
# The image model that paints in_situ scenes of briefs that name no model (Dessert's in_situ
# is "composited into a lifestyle scene with Gemini"); empty: the local scene painter.
PROVIDER_IN_SITU_MODEL = env.str("PROVIDER_IN_SITU_MODEL", default="nano-banana-2")

# ---------------------------------------------------------------------------------------------
# Security: secure defaults whenever DEBUG is off
# ---------------------------------------------------------------------------------------------
STUDIO_HTTPS = env.bool("STUDIO_HTTPS", default=not STUDIO_EMBEDDED and not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if STUDIO_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): scripts only from this site (htmx is vendored) and
# Stripe.js, inline <script> blocks by their per-request nonce (``request.csp_nonce``), the
# three inline handlers by their hashes. Styles may be inline: templates paint brand colours
# with style attributes. Stored files come from this site or, with S3, from the bucket.
_STRIPE_JS_ORIGIN = "https://js.stripe.com"
_MEDIA_ORIGINS = []
if AWS_STORAGE_BUCKET_NAME:
    _MEDIA_ORIGINS = [AWS_S3_ENDPOINT_URL.rstrip("/") if AWS_S3_ENDPOINT_URL
                      else "https://*.amazonaws.com"]
_INLINE_HANDLER_HASHES = [
    "'sha256-njdSZ1Un1mHOq7cKqVnleR2i8t+HaynIg/QYt9xFrHE='",  # confirm before deleting a job
    "'sha256-biFQTroSCI3Z5BmsMGyEE2jFZdwjjG1Oe7JLytgH6jM='",  # select the share link
    "'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY='",  # submit the workspace switcher
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE, "'unsafe-hashes'", *_INLINE_HANDLER_HASHES,
                       _STRIPE_JS_ORIGIN],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *_MEDIA_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", "https://api.stripe.com"],
        "frame-src": [_STRIPE_JS_ORIGIN, "https://hooks.stripe.com"],
        "form-action": ["'self'", "https://checkout.stripe.com"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Browser features the studio never uses are switched off (studio.middleware).
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), usb=(), interest-cohort=(), "
                      f'payment=(self "{_STRIPE_JS_ORIGIN}")')

# ---------------------------------------------------------------------------------------------
# Internationalisation and logging
# ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
