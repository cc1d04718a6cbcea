"""The page kinds of the HTML handbook, each a module with ``render(site)``.

The search index is not a page kind: ``search.Indexer`` indexes the role
pages and articles in the background as they are written.
"""

from . import articles, compare, home, orgchart, roles, salaries, search

PAGE_KINDS: list = [home, roles, articles, compare, salaries, orgchart, search]
