import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email

from accounts.services import account_get_or_create, api_key_kept
from api.commands import AuditedCommand
from api.problems import ApiProblem


class Command(AuditedCommand):
    help = (
        "Create the account NAME (an email address) if it does not exist and issue a new API key. "
        "The key is printed alone on the last line. With --key-file, the key stored in that file is printed "
        "again while it is an active key of the account (make run keeps its demo key so)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the account name, an email address such as user@example.com")
        parser.add_argument("--key-name", default="", help="a label for the new key")
        parser.add_argument(
            "--key-file",
            type=Path,
            help="keep the key in this file (plaintext, mode 0600: a development convenience): reuse the one "
            "stored there while it is active, else issue a new one and store it",
        )

    def handle(self, *args, name, key_name, key_file, **options):
        try:
            validate_email(name.strip())
        except ValidationError:
            raise CommandError(f"account name must be an email address, got {name!r}") from None
        try:
            account, created = account_get_or_create(name=name)
        except ApiProblem as problem:  # a new account reaches every app server's cache, or is not created
            raise CommandError(problem.problem_detail) from None
        stored = _read(key_file)
        raw_key, new = api_key_kept(account=account, raw_key=stored, name=key_name)
        if new and key_file:
            _write(key_file, raw_key)
        self.stdout.write(f"{'Created' if created else 'Found'} account {account.name}.")
        self.stdout.write(f"Callback signing secret (X-Signature HMAC-SHA256 key): {account.signing_secret}")
        if key_file:
            self.stdout.write(f"API key ({'new, ' if new else ''}kept in {key_file}):")
        else:
            self.stdout.write("New API key (shown once, store it now):")
        self.stdout.write(raw_key)


def _read(path: Path | None) -> str | None:
    try:
        return path.read_text().strip() if path else None
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _write(path: Path, raw_key: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(raw_key + "\n")
        path.chmod(0o600)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None
