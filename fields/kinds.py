"""Indexed fields' indexes are no task, but the sweeper watches them (fields/indexing.py): a field left building
has its job queued again, an index whose field is gone or no longer indexed is dropped."""

from fields.indexing import field_indexes_pending, field_indexes_recover
from tasks.registry import register_recovery

register_recovery("field-indexes", field_indexes_recover, field_indexes_pending)
