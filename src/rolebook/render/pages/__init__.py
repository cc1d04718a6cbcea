"""The page kinds of the HTML handbook, each a module with ``render(site)``.

The search index is not a page kind: ``search.Indexer`` indexes the role
pages and articles in the background as they are written.
"""

from . import articles, compare, home, orgchart, roles, salaries, search

# The pages the index reads (articles, then roles by department, as its shards take them)
# come first: Pagefind indexes each shard while the other pages are rendered, and its last
# shard while the pages it does not read are.
INDEXED: list = [articles, roles]
OTHERS: list = [home, compare, salaries, orgchart, search]
PAGE_KINDS: list = INDEXED + OTHERS
