"""A tiny DNS server on loopback for tests: UDP, answering TXT records from a dict (dnspython's message API).

``server.txt["em1._domainkey.example.com"] = ["v=DKIM1; k=rsa; p=…"]``; a name that is not in the dict is
NXDOMAIN, another record type of a known name an empty answer. Long values go as strings of 255 characters at
most, as DNS providers publish them. ``lookup`` is the same data as dkimpy's ``dnsfunc``.
"""

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


def _strings(value: str) -> str:
    chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"' for chunk in chunks)


class DnsServer:
    def __init__(self):
        self.txt: dict[str, list[str]] = {}
        self.queries: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.sock.close()

    def _serve(self):
        while True:
            try:
                data, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            try:
                query = dns.message.from_wire(data)
            except Exception:  # not DNS: nothing to answer
                continue
            self.sock.sendto(self.answer(query).to_wire(), peer)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        for question in query.question:
            name = question.name.to_text(omit_final_dot=True).lower()
            self.queries.append(name)
            if name not in self.txt:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif question.rdtype == dns.rdatatype.TXT:
                values = [_strings(value) for value in self.txt[name]]
                response.answer.append(dns.rrset.from_text(question.name, 60, dns.rdataclass.IN, "TXT", *values))
        return response

    def lookup(self, name: bytes, timeout: int = 5) -> bytes | None:
        """dkimpy's ``dnsfunc``: the first TXT record at ``name``."""
        values = self.txt.get(name.decode().rstrip(".").lower())
        return values[0].encode() if values else None

    def publish(self, domain: dict) -> None:
        """Every record a domain's representation asks for (``dnsRecords``), as shown."""
        for record in domain["dnsRecords"]:
            self.txt.setdefault(record["name"], []).append(record["value"])
