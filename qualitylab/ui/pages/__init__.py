"""The app's pages, in navigation order: (url slug, title, icon, render function).

Icons are Streamlit Material icons (``:material/<name>:``), not emoji: Debian's Chromium has no emoji font.
"""

from qualitylab.ui.pages import (
    agreement,
    annotators,
    bias,
    contract,
    distributions,
    evidence,
    hygiene,
    items,
    judges,
    overview,
    signals,
    trends,
)

PAGES = [
    ("overview", "Overview", ":material/home:", overview.render),
    ("contract", "Contract", ":material/contract:", contract.render),
    ("agreement", "Agreement", ":material/handshake:", agreement.render),
    ("distributions", "Distributions", ":material/bar_chart:", distributions.render),
    ("bias", "Bias", ":material/balance:", bias.render),
    ("judges", "Judge vs human", ":material/smart_toy:", judges.render),
    ("signals", "Rankings vs ratings", ":material/leaderboard:", signals.render),
    ("annotators", "Annotators", ":material/groups:", annotators.render),
    ("hygiene", "Hygiene", ":material/cleaning_services:", hygiene.render),
    ("items", "Items", ":material/list_alt:", items.render),
    ("trends", "Trends", ":material/trending_up:", trends.render),
    ("evidence", "Evidence", ":material/folder_open:", evidence.render),
]
