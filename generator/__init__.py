"""kube-clientgen's code generator: sources -> IR -> naming/layout -> templates -> black."""
