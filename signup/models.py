import hashlib

from django.db import models
from django.db.models.functions import Lower


class SignupForm(models.Model):
    """A signup form of an account: the lists a post to its public endpoint (``/f/{key}``) subscribes to, the
    account fields it accepts, and where a browser goes after it. ``key`` is the public id (random, unguessable:
    the pk would let anyone enumerate every account's forms)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="signup_forms", db_index=False
    )
    key = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    # A deleted list leaves its forms (their posts then subscribe to the lists left).
    lists = models.ManyToManyField("lists.MailingList", related_name="+")
    # [{"fieldName": "firstName", "required": true}, …] in the order the snippet shows them.
    fields = models.JSONField(default=list)
    # True: every list of the form asks for confirmation; False: each list's own doubleOptIn decides.
    double_opt_in = models.BooleanField(default=False)
    thank_you_url = models.CharField(max_length=2000, blank=True, default="")
    error_url = models.CharField(max_length=2000, blank=True, default="")
    allowed_origins = models.JSONField(default=list)  # ["https://example.com", …], normalised
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(models.F("account"), Lower("name"), name="signup_form_name_unique_ci")]
        indexes = [models.Index(fields=["account", "id"], name="signup_form_account_id")]
        ordering = ["id"]
        verbose_name = "signup form"

    def __str__(self):
        return self.name

    @property
    def honeypot(self) -> str:
        """The hidden field's name: per form and meaningless to a bot (a generic "website" would collide with
        an account field some day, and bots learn fixed names)."""
        return "b_" + hashlib.sha256(self.key.encode()).hexdigest()[:12]
