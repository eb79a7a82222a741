"""The Streamlit report app: the only package that imports streamlit."""
