from api.epoch_cache import EpochCache
from api.problems import NOT_FOUND, ApiProblem
from fields.models import Field

_types = EpochCache()


def field_list(*, account) -> list[Field]:
    return list(Field.objects.filter(account=account).order_by("position", "id"))


def field_get(*, account, name: str) -> Field:
    field = Field.objects.filter(account=account, name=name).first()
    if field is None:
        raise ApiProblem(NOT_FOUND, f"The account has no field '{name}'.")
    return field


def field_types(*, account) -> tuple[tuple[str, str], ...]:
    """(name, type) of each of the account's fields, in their order.

    Asked on most subscriber reads and writes: kept in this process's cache within requests
    (``api.epoch_cache``; a field created, changed or deleted invalidates it).
    """
    return _types.get(
        account.pk,
        lambda: tuple(
            Field.objects.filter(account_id=account.pk).order_by("position", "id").values_list("name", "type")
        ),
    )
