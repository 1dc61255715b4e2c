from api.registry import problem

DUPLICATED_NAME = problem(
    400,
    38,
    "duplicated-name",
    "The name already exists for another resource.",
    "Another active list, or another field, of the account already has this name; names are compared "
    "case-insensitively (an inactive list may share a name).",
)
