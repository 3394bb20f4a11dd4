"""Responses that carry personal data are not kept by the browser or any cache.

Every page shown to someone signed in may name a child, and every download holds
children's data, so none may be stored: pressing Back after signing out, or the
next person on a shared computer, finds nothing in the browser's cache. Static
files are answered by WhiteNoise before this runs and keep their long caching."""

from django.utils.cache import add_never_cache_headers


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or _is_download(response):
            # max-age=0, no-cache, no-store, must-revalidate, private; and Expires.
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"  # for HTTP/1.0 caches
        return response
