"""qualitylab: quality control for human preference data.

``import qualitylab`` is light: it never imports streamlit or plotly. The UI lives in
``qualitylab.ui`` and is the only package that imports streamlit.
"""

__version__ = "0.1.0"
