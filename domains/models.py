from django.db import models


class SendingDomain(models.Model):
    """A domain an account sends from: its DKIM key pair (the private key sealed, domains/keys.py) and what the
    last DNS check found. Verified while the last check found the published DKIM key (``verified_at``)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="domains", db_index=False)
    name = models.CharField(max_length=253)  # lowercase, A-labels (IDNA), no trailing dot
    selector = models.CharField(max_length=63)
    private_key = models.TextField()  # sealed PKCS#8 PEM (AES-GCM, a key derived from SECRET_KEY): never shown
    public_key = models.TextField()  # base64 DER SubjectPublicKeyInfo: the DKIM record's p=
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)  # when DKIM last passed; null: not verified
    # The last check, per record: {"dkim": {"passed": bool, "detail": str}, "spf": {…}}
    checks = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="sending_domain_unique")]
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def status(self) -> str:
        if self.verified_at is not None:
            return "verified"
        return "failed" if self.checked_at is not None else "pending"
