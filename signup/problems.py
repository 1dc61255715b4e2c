from api.registry import problem

ORIGIN_NOT_ALLOWED = problem(
    403,
    3,
    "origin-not-allowed",
    "The signup form does not take posts from this origin.",
    "A browser posted to a signup form from a page whose `Origin` is not one of the form's `allowedOrigins`. "
    "Add the origin to the form (`PUT` it) if that page is yours.",
)
SIGNUP_LIMIT = problem(
    429,
    4,
    "signup-limit",
    "Too many signups from this address, or to this form.",
    "A signup form's public endpoint takes at most `SIGNUP_POSTS_PER_IP` posts a minute from one IP address "
    "(one IPv6 /64) and `SIGNUP_POSTS_PER_FORM` a minute to one form; retry after the seconds given by "
    "`Retry-After`.",
)
