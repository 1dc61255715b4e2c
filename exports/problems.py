from api.registry import problem

EXPORT_FILTER_NOT_FOUND = problem(
    400,
    54,
    "export-filter-not-found",
    "A filter of the export names nothing of the account.",
    "`listId`, `segmentId` or `campaignId` is not one of the account's lists, segments or campaigns. `detail` "
    "says which.",
)
EXPORT_FILTERS_INVALID = problem(
    400,
    55,
    "export-filters-invalid",
    "The filters do not fit the export's kind.",
    "A campaign report needs `campaignId` and takes no other filter; a subscribers export takes `listId`, "
    "`segmentId` and `status` (each at most once, together they all apply) but no `campaignId`.",
)
EXPORT_UNAVAILABLE = problem(
    409,
    13,
    "exports-unavailable",
    "This server cannot run exports.",
    "Exports are written by PostgreSQL (`COPY`): a server on the embedded SQLite database refuses them.",
)
EXPORT_LINK_GONE = problem(
    410,
    1,
    "export-link-gone",
    "The export's link expired, or its file was deleted.",
    "A download link lives EXPORT_LINK_SECONDS (an hour); the file is deleted EXPORT_RETENTION_SECONDS (a day) "
    "after its task ended. GET the task again for a fresh link while its file is kept; export again after.",
)
