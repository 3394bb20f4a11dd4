from django.conf import settings
from django.utils.crypto import salted_hmac


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }


def draft_owner_key(user) -> str:
    """Who owns the drafts kept in the browser (static/js/form-draft.js), as a
    value that names nobody: an HMAC of the user's id with SECRET_KEY. The same
    person gets the same key in every session, so a draft survives a time-out;
    anyone else gets another key, and the script wipes the drafts it holds."""
    return salted_hmac("reunification.form-draft.owner", str(user.pk)).hexdigest()[:32]


def form_drafts(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"draft_owner": draft_owner_key(user)}
    # Signed out, the only page that keeps drafts is the sign-in page that a
    # time-out (or a save after one) sends people to, which carries `next`: the
    # drafts wait there, unread, for whoever signs in. Every other page shown to
    # nobody, such as the sign-in page after signing out, wipes them.
    match = getattr(request, "resolver_match", None)
    held = bool(
        match and match.url_name == "login" and ("next" in request.GET or "next" in request.POST)
    )
    return {"drafts_held_for_sign_in": held}
