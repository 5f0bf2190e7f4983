"""Everything about knowledge files: entry files, catalog tables, the tree, zip archives.

Import from the submodules (``bot.knowledge.tree``, ``bot.knowledge.entryfile``, ...); this
package re-exports nothing, so each name has one home.
"""
