"""The page kinds of the HTML handbook, each a module with ``render(site)``.

Order matters only for ``search``, which indexes the finished pages and so
comes last.
"""

from . import articles, compare, home, orgchart, roles, salaries, search

PAGE_KINDS: list = [home, roles, articles, compare, salaries, orgchart, search]
