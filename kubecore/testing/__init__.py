"""Testing helpers: a loopback Kubernetes API server and its in-memory object tracker.

```python
from kubecore.testing import TestApiServer

with TestApiServer(["swagger.json", "crd.yaml"]) as server:
    server.url              # http://127.0.0.1:PORT
    server.kubeconfig_path  # a kubeconfig for kubectl or kubecore.load_config()
```
"""

from kubecore.testing.discovery import Resource, ResourceTable, load_table
from kubecore.testing.faults import Faults
from kubecore.testing.httpio import Limits
from kubecore.testing.patch import json_patch, merge_patch, strategic_merge_patch
from kubecore.testing.requestlog import RecordedRequest, RequestLog
from kubecore.testing.server import TestApiServer
from kubecore.testing.tracker import ApiError, Tracker, field_matcher, label_matcher

__all__ = [
    "ApiError",
    "Faults",
    "Limits",
    "RecordedRequest",
    "RequestLog",
    "Resource",
    "ResourceTable",
    "TestApiServer",
    "Tracker",
    "field_matcher",
    "json_patch",
    "label_matcher",
    "load_table",
    "merge_patch",
    "strategic_merge_patch",
]
