"""Inter-annotator agreement among human annotators (issue 3).

``coefficients`` is the pure numeric core (value-count patterns in, statistics out), ``compute``
runs the SQL aggregations in ``queries/agreement/`` and feeds the core, ``section`` registers the
report section ``agreement`` and exposes :func:`section.per_annotator` for other areas.
Definitions and choices: docs/agreement.md.
"""
