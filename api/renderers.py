from rest_framework.renderers import JSONRenderer


class HypermediaJSONRenderer(JSONRenderer):
    """Plain JSON; views set ``Content-Type: application/json; profile=/schemas/X``."""

    media_type = "application/json"
    charset = None
