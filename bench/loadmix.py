"""What each client of bench/load.py sends: a weighted mix over every surface, reads and writes."""

import random
import time


class Workload:
    """What one client does: a weighted mix over both surfaces, the public links and the probes."""

    def __init__(self, account: dict, key: str, client_no: int):
        self.a, self.key, self.client_no, self.seq = account, key, client_no, 0
        self.base = f"/accounts/{account['name']}"
        self.mix = [
            (self.get_list, 8),
            (self.get_subscriber, 10),
            (self.get_contact, 10),
            (self.get_campaign, 6),
            (self.get_lists, 5),
            (self.get_list_subscribers, 5),
            (self.get_contacts, 5),
            (self.get_emails, 3),
            (self.get_analytics, 2),
            (self.get_index, 3),
            (self.get_doc, 2),
            (self.open_pixel, 3),
            (self.subscribe, 8),
            (self.edit_list, 3),
            (self.create_contact, 5),
            (self.create_campaign, 3),
            (self.send_email, 4),
            (self.healthz, 10),
        ]
        self.calls, weights = zip(*self.mix, strict=True)
        self.weights = weights

    def unique(self) -> str:
        self.seq += 1
        return f"c{self.client_no}n{self.seq}t{time.monotonic_ns() % 10**9}"

    def next(self):
        return random.choices(self.calls, self.weights)[0]()

    # (kind, method, path, body, expected status); kinds starting "read:" are single-resource reads.
    def get_list(self):
        return "read: list (hypermedia)", "GET", f"{self.base}/lists/{self.a['list']}", None, 200

    def get_subscriber(self):
        md5 = random.choice(self.a["md5s"])
        return "read: subscriber (hypermedia)", "GET", f"{self.base}/subscribers/{md5}", None, 200

    def get_contact(self):
        return "read: contact (/api/v1)", "GET", f"/api/v1/contacts/{random.choice(self.a['md5s'])}", None, 200

    def get_campaign(self):
        return "read: campaign (/api/v1)", "GET", f"/api/v1/campaigns/{self.a['campaign']}", None, 200

    def get_lists(self):
        return "page: lists", "GET", f"{self.base}/lists", None, 200

    def get_list_subscribers(self):
        page = random.randint(1, 50)
        return "page: list subscribers", "GET", f"{self.base}/lists/{self.a['list']}/subscribers?page={page}", None, 200

    def get_contacts(self):
        return "page: contacts (/api/v1, cursor)", "GET", "/api/v1/contacts?limit=20&cursor=", None, 200

    def get_emails(self):
        return "page: emails (/api/v1)", "GET", "/api/v1/emails?limit=20", None, 200

    def get_analytics(self):
        return "analytics: emails, 30 days", "GET", "/api/v1/analytics/emails", None, 200

    def get_index(self):
        return "index: account", "GET", self.base, None, 200

    def get_doc(self):
        return "docs: /rels/subscriber", "GET", "/rels/subscriber", None, 200

    def open_pixel(self):
        return "public: open pixel", "GET", f"/t/o/{self.a['token']}", None, 200

    def subscribe(self):
        body = {"emailAddress": f"{self.unique()}@new.example", "fields": [{"fieldName": "firstName", "value": "Load"}]}
        return "write: subscribe (hypermedia)", "POST", f"{self.base}/lists/{self.a['list']}/subscribers", body, 201

    def edit_list(self):
        body = {"name": f"Everyone {self.client_no}"[:100] if random.random() < 0.5 else "Everyone"}
        return "write: edit list (hypermedia)", "PUT", f"{self.base}/lists/{self.a['list']}", body, 200

    def create_contact(self):
        body = {"emailAddress": f"{self.unique()}@v1.example", "lists": [self.a["list"]]}
        return "write: create contact (/api/v1)", "POST", "/api/v1/contacts", body, 201

    def create_campaign(self):
        body = {"name": f"Load {self.unique()}", "subject": "Hello", "lists": [self.a["list"]]}
        return "write: create campaign (/api/v1)", "POST", "/api/v1/campaigns", body, 201

    def send_email(self):
        body = {
            "to": f"{self.unique()}@sink.example",
            "subject": "Hi {{ name }}",
            "text": "Hello {{ name }}",
            "values": {"name": "Load"},
        }
        return "write: send email (/api/v1)", "POST", "/api/v1/emails/send", body, 202

    def healthz(self):
        return "floor: GET /healthz", "GET", "/healthz", None, 200
