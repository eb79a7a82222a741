"""The accepted dataset: what accepted batches deliver for training, written with a manifest
(docs/contract.md, "The accepted dataset"). ``write`` streams the rows; ``labels`` holds the label
sources of the dpo format."""
