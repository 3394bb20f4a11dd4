"""What the decision pages of the journey and of aftercare share: one form page,
and running a service with its refusal shown in the error summary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


def form_page(request, case, form, title, *, back="reviews:journey", context=None):
    """`context` adds what a decision is taken on, shown above its form by the
    template it names as `before_form`."""
    return render(
        request,
        "reviews/decision_form.html",
        {"case": case, "form": form, "title": title, "back": back, **(context or {})},
    )


def attempt(request, case, form, action, success, to="reviews:journey"):
    """Run a service; on refusal show its words in the error summary."""
    try:
        action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            # Field-keyed refusals go on their fields; any other key at the top.
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, " ".join(error.messages))
        return None
    messages.success(request, success)
    return redirect(to, case.pk)


def decision_page(
    request, case, form, title, action, success, *, page="reviews:journey", context=None
):
    """The whole life of a decision form: shown, and on a valid POST `action`
    (given the cleaned values) runs the service; its refusal goes in the error
    summary, its success back to `page`."""
    if request.method == "POST" and form.is_valid():
        done = attempt(request, case, form, lambda: action(form.cleaned_data), success, to=page)
        if done:
            return done
    return form_page(request, case, form, title, back=page, context=context)
