from django.conf import settings


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
