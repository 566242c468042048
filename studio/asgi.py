import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
# WhiteNoise serves static files as a synchronous file iterator, which Django's ASGI handler
# reads in its thread pool (correct, and cached by browsers after the first load). Django warns
# about it on the first static file of every process; the warning tells an operator nothing.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous "
                        "iterators", category=Warning, module="django.core.handlers.asgi")
application = get_asgi_application()
