"""kube-clientgen's code generator: sources -> IR -> naming/layout -> templates -> black."""

__version__ = "0.1.0"  # the distribution's version (pyproject reads it from here)
