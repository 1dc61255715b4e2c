"""Back-office helpers shared by the apps' admin modules."""

from django.contrib import messages

from api.problems import ApiProblem


def apply_action(model_admin, request, queryset, service, *, verb: str, noun: str, argument: str) -> None:
    """Call ``service(**{argument: row})`` for each selected row; refusals are shown, not raised."""
    done = 0
    for row in queryset:
        try:
            service(**{argument: row})
            done += 1
        except ApiProblem as problem:
            model_admin.message_user(
                request, f"{noun.capitalize()} {row.pk}: {problem.problem_detail}", level=messages.WARNING
            )
    model_admin.message_user(request, f"{verb} {done} {noun}(s).", level=messages.SUCCESS)
