"""The ``streamlit run`` entry script of ``qualitylab app`` (``streamlit_app.py``), in a folder of its own.

Streamlit treats a ``pages/`` folder beside the entry script as old-style (v1) pages: with the entry
in ``qualitylab/ui/`` (beside ``qualitylab/ui/pages/``), a link such as ``/items?batch=w5`` ran the
module ``pages/items.py`` as a page of its own (a blank page) and the sidebar listed the module names.
Here no ``pages/`` folder is beside it, so ``st.navigation`` (``qualitylab.ui.main``) routes every URL.
"""
