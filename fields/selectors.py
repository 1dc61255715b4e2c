from api.problems import NOT_FOUND, ApiProblem
from fields.models import Field


def field_list(*, account) -> list[Field]:
    return list(Field.objects.filter(account=account).order_by("position", "id"))


def field_get(*, account, name: str) -> Field:
    field = Field.objects.filter(account=account, name=name).first()
    if field is None:
        raise ApiProblem(NOT_FOUND, f"The account has no field '{name}'.")
    return field
