from rest_framework import serializers


class DomainInputSerializer(serializers.Serializer):
    """``domain``: checked as a host name by the service (domains.services.domain_name), which the back office
    calls too."""

    domain = serializers.CharField(max_length=300)
