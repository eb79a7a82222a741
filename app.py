"""qualitylab's report app: ``streamlit run app.py`` (or ``qualitylab app``).

The store is ``$QUALITYLAB_DB`` if set, else ``./qualitylab.duckdb``; it is opened read-only.
"""

from qualitylab.ui.main import run

run()
