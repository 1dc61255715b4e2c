"""Reading the analytics pages back: each figure a cell shows, by its row and the API member it names."""

import re

ROW = re.compile(r'<tr data-(?:period|campaign)="([^"]+)">(.*?)</tr>', re.DOTALL)
MEMBER = re.compile(r'data-member="(\w+)">([^<]*)<')


def shown(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """``{row key: {member: text shown}}`` of the table ``table_id``."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return {key: dict(MEMBER.findall(cells)) for key, cells in ROW.findall(table)}


def tiles(html: str, section_id: str) -> dict[str, str]:
    section = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return dict(MEMBER.findall(section))


def as_shown(member: str, value) -> str:
    """How the back office writes the API's ``value`` of ``member``: counts as 1,234, rates as 12.3 %."""
    return f"{100 * value:.1f} %" if member.endswith("Rate") else f"{value:,}"


def expected(figures: dict, members) -> dict[str, str]:
    return {member: as_shown(member, figures[member]) for member in members}
