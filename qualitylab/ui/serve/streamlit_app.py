"""Entry point for ``streamlit run`` (``qualitylab app`` runs this file)."""

from qualitylab.ui.main import run

run()
