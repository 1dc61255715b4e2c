from api.registry import problem

SEGMENT_IN_USE = problem(
    409,
    8,
    "segment-in-use",
    "A campaign that has not finished targets or excludes the segment.",
    "A draft, scheduled, sending or paused campaign names the segment; `detail` says which. Edit those "
    "campaigns (or let them finish) before deleting it. Finished campaigns keep the name and count they used.",
)
