"""The app's pages, in navigation order: (url slug, title, icon, render function)."""

from qualitylab.ui.pages import overview

PAGES = [
    ("overview", "Overview", "🏠", overview.render),
]
