"""Request bodies through DRF serializers, with the Blueprint's two kinds of 400."""

from rest_framework.exceptions import ValidationError

from api.problems import MISSING_DATA, VALIDATION_ERROR, ApiProblem


def validated(serializer_class, data, *, missing_detail: str | None = None, **context) -> dict:
    """The validated data, or 400.24 (a required member is missing) / 400.2 (invalid members)."""
    if not isinstance(data, dict):
        raise ApiProblem(
            VALIDATION_ERROR,
            "The body must be a JSON object.",
            errors=[{"field": None, "detail": "must be a JSON object"}],
        )
    serializer = serializer_class(data=data, context=context)
    if serializer.is_valid():
        return serializer.validated_data
    missing = [
        name
        for name, errors in serializer.errors.items()
        if isinstance(errors, list) and any(getattr(e, "code", None) == "required" for e in errors)
    ]
    if missing:
        detail = missing_detail or f"Required data is missing: {', '.join(missing)}."
        raise ApiProblem(
            MISSING_DATA, detail, errors=[{"field": name, "detail": "This field is required."} for name in missing]
        )
    raise ValidationError(serializer.errors)
