"""The contract: the plan of weekly deliveries, deliveries against it, and the payable (docs/contract.md).

``plan`` reads and validates contract files; ``registry`` stores them and links batches to weeks;
``status`` compares what was delivered and decided with what was promised.
"""
