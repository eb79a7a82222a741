"""The app's pages, in navigation order: (url slug, title, icon, render function)."""

from qualitylab.ui.pages import overview
from qualitylab.ui.pages import agreement
from qualitylab.ui.pages import distributions, bias, annotators, hygiene
from qualitylab.ui.pages import judges
from qualitylab.ui.pages import signals
from qualitylab.ui.pages import trends, evidence

PAGES = [
    ("overview", "Overview", "🏠", overview.render),
    ("agreement", "Agreement", "🤝", agreement.render),
    ("distributions", "Distributions", "📊", distributions.render),
    ("bias", "Bias", "⚖️", bias.render),
    ("judges", "Judge vs human", "🤖", judges.render),
    ("signals", "Rankings vs ratings", "🏆", signals.render),
    ("annotators", "Annotators", "🧑‍💼", annotators.render),
    ("hygiene", "Hygiene", "🧹", hygiene.render),
    ("trends", "Trends", "📈", trends.render),
    ("evidence", "Evidence", "🗂️", evidence.render),
]
