"""The reference KAM decision written for other rules engines, to compare kamcore's speed with.

Each peer module builds the same decision as ``../shared/bench/reference.py`` in its engine's own
language and exposes ``PACKAGE`` (the import name, to say "not installed" instead of failing)
and ``build() -> Variant``. :mod:`benchmarks.peers.common` holds what every variant shares.
"""
