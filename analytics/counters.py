"""campaigns/ imports the analytics write path from here until it imports ``analytics.services``; then delete this
module."""
from analytics.services import daily_add, hourly_add, link_add, utc_day

__all__ = ["daily_add", "hourly_add", "link_add", "utc_day"]
