"""Back-office helpers shared by the apps' admin modules."""

from django.contrib import admin, messages

from api.problems import ApiProblem


def apply_action(model_admin, request, queryset, service, *, verb: str, noun: str) -> None:
    """Call ``service(<noun>=row)`` for each selected row; refusals are shown, not raised."""
    done = 0
    for row in queryset:
        try:
            service(**{noun: row})
            done += 1
        except ApiProblem as problem:
            model_admin.message_user(
                request, f"{noun.capitalize()} {row.pk}: {problem.problem_detail}", level=messages.WARNING
            )
    model_admin.message_user(request, f"{verb} {done} {noun}(s).", level=messages.SUCCESS)


def service_action(name: str, service, *, description: str, verb: str, noun: str):
    """An admin action ``name`` that calls the same service as the API, ``service(<noun>=row)``, for each
    selected row, and says how many it did and which it refused."""

    def action(model_admin, request, queryset):
        apply_action(model_admin, request, queryset, service, verb=verb, noun=noun)

    action.__name__ = action.__qualname__ = name
    return admin.action(description=description)(action)
