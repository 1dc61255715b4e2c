"""Keys with chosen scopes, and the two surfaces' paths of the keys resource."""

from dataclasses import dataclass

from accounts.services import api_key_issue
from tests.factories import AccountWithKey
from tests.helpers import ApiClient


def key_with(owner: AccountWithKey, *scopes: str, expires_at=None, name: str = "scoped") -> AccountWithKey:
    """Another key of ``owner``'s account, holding ``scopes``."""
    _, raw = api_key_issue(account=owner.account, name=name, scopes=list(scopes), expires_at=expires_at)
    return AccountWithKey(owner.account, raw)


def client_with(owner: AccountWithKey, *scopes: str, **kwargs) -> ApiClient:
    return ApiClient(key_with(owner, *scopes, **kwargs))


@dataclass(frozen=True)
class Surface:
    """Where the keys are on one surface, and how a create is answered there."""

    name: str
    prefix: str  # "/accounts/<name>/keys" or "/api/v1/keys"
    page_profile: str

    def collection(self) -> str:
        return self.prefix

    def detail(self, key_id: int) -> str:
        return f"{self.prefix}/{key_id}"

    def revoke(self, key_id: int) -> str:
        return f"{self.prefix}/{key_id}/revoke"


def surfaces(owner: AccountWithKey) -> dict[str, Surface]:
    return {
        "hypermedia": Surface("hypermedia", f"/accounts/{owner.name}/keys", "api-keys-collection"),
        "v1": Surface("v1", "/api/v1/keys", "api-keys-page"),
    }
