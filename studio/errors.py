from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from studio.exceptions import AppError


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without context processors: the failure may be the database they would query.
    return HttpResponseServerError(loader.get_template("500.html").render())


class AppErrorMiddleware:
    """The one place an uncaught ``AppError`` becomes an HTML answer: a page with the message and
    the error's status (an htmx request gets the bare message, for the target to show).

    Views that want the message inline (a form error) catch ``AppError`` itself and call
    ``form.add_error``; nothing catches a service's own subclass by hand.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AppError):
            return None
        if getattr(request, "htmx", False):
            return HttpResponse(exception.message, status=exception.status,
                                content_type="text/plain; charset=utf-8")
        return render(request, "error.html", {"error": exception}, status=exception.status)
