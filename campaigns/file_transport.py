"""The embedded default's transport (no EMAIL_HOST): each message written to a file instead of sent."""

from pathlib import Path

from campaigns.replies import Outcome
from campaigns.transport import UNJOURNALED


class FileTransport:
    """The embedded default (no EMAIL_HOST): each message is written to VAR_DIR/mail as an .eml file."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sequence = 0

    def send(self, from_email: str, to_email: str, data: bytes) -> Outcome:
        self.sequence += 1
        name = f"{to_email.replace('/', '_')}-{id(self):x}-{self.sequence}.eml"
        (self.directory / name).write_bytes(data.replace(b"\r\n..", b"\r\n."))
        return Outcome("sent", 250, "written to file")

    def send_many(self, from_email: str, messages, outcomes: list, journal=UNJOURNALED) -> None:
        for to_email, data in messages:
            index = len(outcomes)
            outcomes.append(None)
            journal.announce([index], outcomes)
            if not journal.confirm():
                return
            outcomes[index] = self.send(from_email, to_email, data)

    def close(self) -> None:
        pass
