"""The bundled sample data (``qualitylab sample``): the top-level ``sample_data/`` of the repository,
shipped as the package ``qualitylab.sample_data`` so an installed wheel can load it too.

The generator scripts beside the data (``generate.py``, ``gen_texts.py``, ``gen_expected.py``) are run
as scripts from a checkout, never imported by qualitylab.
"""
