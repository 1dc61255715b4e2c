from api.registry import problem

PREDEFINED_FIELD = problem(
    409,
    4,
    "predefined-field",
    "Predefined fields cannot be deleted.",
    "firstName, lastName, gender, birthday and country exist in every account; "
    "their label and privacy can be edited but they cannot be deleted.",
)
TOO_MANY_FIELDS = problem(
    409,
    5,
    "too-many-fields",
    "The account has too many custom fields.",
    "An account has at most 200 custom fields; delete one before creating another.",
)
TOO_MANY_INDEXED_FIELDS = problem(
    409,
    15,
    "too-many-indexed-fields",
    "The account has too many indexed fields.",
    "An account indexes at most FIELDS_INDEXED_MAX fields (5 unless the server says otherwise): each index makes "
    "its field's contacts filter fast and costs every import. Set `indexed` to false on another field first.",
)
