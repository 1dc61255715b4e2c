from api.registry import problem

TEMPLATE_INVALID = problem(
    400,
    44,
    "template-invalid",
    "The template cannot be used as a layout.",
    "A template's `html` needs exactly one `{{ content }}` slot (where a campaign's content goes), and so does "
    "its `text` when it has one; its merge tags must be well formed and name the account's fields (or "
    "`emailAddress`, `unsubscribeUrl`), as a campaign's. `errors` names each member and what is wrong.",
)
TEMPLATE_IN_USE = problem(
    409,
    10,
    "template-in-use",
    "A campaign that has not finished uses the template.",
    "A draft, scheduled, sending or paused campaign uses the template; `detail` says which. Choose another "
    "template for them (or none), or let them finish, before deleting it. A campaign that started keeps the "
    "composed content it froze then.",
)
