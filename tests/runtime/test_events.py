"""The event recorder against the test API server: events.k8s.io/v1 Events, series,
the spam filter, the bounded buffer, the core/v1 fallback and kubectl's view."""

from __future__ import annotations

import dataclasses
import logging
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client.config import load_config
from kubecore.client.errors import ApiError
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.times import MicroTime
from kubecore.core.unstructured import Unstructured
from kubecore.runtime.events import EventBroadcaster
from kubecore.testing import TestApiServer
from tests.runtime.support import kubectl, requires_kubectl


def config_map(cs: Clientset, name: str | None = None) -> ConfigMap:
    name = name or f"cm-{uuid.uuid4().hex[:8]}"
    return cs.core_v1.config_maps("default").create(ConfigMap(metadata=ObjectMeta(name=name)))


def events_about(cs: Clientset, name: str) -> list[Any]:
    items = cs.events_v1.events("default").list().items or []
    return [e for e in items if e.regarding is not None and e.regarding.name == name]


def core_events_about(cs: Clientset, name: str) -> list[Any]:
    items = cs.core_v1.events("default").list().items or []
    return [e for e in items if e.involved_object is not None and e.involved_object.name == name]


def test_an_event_on_events_k8s_io(cs: Clientset) -> None:
    cm = config_map(cs)
    other = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("example.com/vm-controller", "replica-a")
    recorder.eventf(cm, other, "Normal", "Synced", "Sync", "synced %s in %d ms", "disk", 12)
    broadcaster.shutdown()
    (event,) = events_about(cs, cm.metadata.name)
    assert broadcaster.api == "events.k8s.io/v1"
    assert event.note == "synced disk in 12 ms"
    assert (event.type, event.reason, event.action) == ("Normal", "Synced", "Sync")
    assert event.reporting_controller == "example.com/vm-controller"
    assert event.reporting_instance == "replica-a"
    assert event.regarding.uid == cm.metadata.uid
    assert event.regarding.kind == "ConfigMap" and event.regarding.api_version == "v1"
    assert event.related.name == other.metadata.name
    assert event.metadata.namespace == "default"
    assert event.metadata.name.startswith(cm.metadata.name + ".")
    assert isinstance(event.event_time, MicroTime)
    assert event.series is None


def test_repeats_become_a_series(cs: Clientset) -> None:
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    recorder = broadcaster.new_recorder("vm-controller")
    for _ in range(5):  # queued before the sender starts: coalesced into one create
        recorder.eventf(cm, None, "Warning", "Failed", "Provision", "disk not ready")
    broadcaster.start_recording_to_sink()
    assert broadcaster.flush(10)
    recorder.eventf(cm, None, "Warning", "Failed", "Provision", "disk not ready")
    recorder.eventf(cm, None, "Normal", "Ready", "Provision", "disk ready")
    broadcaster.shutdown()
    events = {e.reason: e for e in events_about(cs, cm.metadata.name)}
    assert sorted(events) == ["Failed", "Ready"]
    failed = events["Failed"]
    assert failed.series is not None and failed.series.count == 6
    assert isinstance(failed.series.last_observed_time, MicroTime)
    assert failed.series.last_observed_time >= failed.event_time
    assert events["Ready"].series is None
    assert recorder.reporting_instance.startswith("vm-controller-")


def test_spam_filter_per_source_and_object(cs: Clientset) -> None:
    noisy, quiet = config_map(cs), config_map(cs)
    broadcaster = EventBroadcaster(cs, spam_burst=3, spam_refill_seconds=3600)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller")
    for i in range(5):
        recorder.eventf(noisy, None, "Normal", f"Step{i}", "Reconcile", "step %d", i)
    recorder.eventf(quiet, None, "Normal", "Step0", "Reconcile", "step 0")
    broadcaster.shutdown()
    assert sorted(e.reason for e in events_about(cs, noisy.metadata.name)) == [
        "Step0",
        "Step1",
        "Step2",
    ]
    assert len(events_about(cs, quiet.metadata.name)) == 1  # its own bucket
    assert broadcaster.filtered == 2


def test_eventf_never_blocks_and_drops_when_the_buffer_is_full(
    cs: Clientset, caplog: pytest.LogCaptureFixture
) -> None:
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs, buffer_size=2)  # not started: nothing drains it
    recorder = broadcaster.new_recorder("vm-controller")
    with caplog.at_level(logging.WARNING, logger="kubecore.runtime.events"):
        for i in range(5):
            recorder.eventf(cm, None, "Normal", f"R{i}", "Act", "n")
    assert broadcaster.dropped == 3
    assert not broadcaster.flush()  # nothing sends yet: returns at once
    assert sum("event buffer full" in r.getMessage() for r in caplog.records) == 3
    broadcaster.start_recording_to_sink()
    broadcaster.shutdown()
    assert sorted(e.reason for e in events_about(cs, cm.metadata.name)) == ["R0", "R1"]


def test_regarding_may_be_unstructured_or_a_dict(cs: Clientset) -> None:
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller")
    recorder.eventf(Unstructured(cm.to_dict()), None, "Normal", "A", "Act", "from unstructured")
    recorder.eventf(cm.to_dict(), None, "Normal", "B", "Act", "from a dict")
    broadcaster.shutdown()
    events = events_about(cs, cm.metadata.name)
    assert sorted(e.reason for e in events) == ["A", "B"]
    assert {e.regarding.uid for e in events} == {cm.metadata.uid}


def test_an_unsupported_event_type_is_logged_and_dropped(
    cs: Clientset, caplog: pytest.LogCaptureFixture
) -> None:
    """client-go's recorder logs "Unsupported event type" and drops the event; it never
    fails the caller."""
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller")
    with caplog.at_level(logging.ERROR, logger="kubecore.runtime.events"):
        recorder.eventf(cm, None, "Info", "Bad", "Act", "bad type")
        recorder.eventf(cm, None, "Warning", "Good", "Act", "good type")
    broadcaster.shutdown()
    assert [e.reason for e in events_about(cs, cm.metadata.name)] == ["Good"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "Unsupported event type 'Info'" in errors[0].getMessage()
    assert broadcaster.dropped == 0  # not a full buffer


def test_api_errors_drop_the_event_with_a_log_line(
    cs: Clientset, server: TestApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    cm = config_map(cs)
    server.faults.respond(422, path_prefix="/apis/events.k8s.io/v1/namespaces/default/events")
    broadcaster = EventBroadcaster(cs, api="events.k8s.io/v1")
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller")
    with caplog.at_level(logging.WARNING, logger="kubecore.runtime.events"):
        recorder.eventf(cm, None, "Normal", "Lost", "Act", "refused")
        broadcaster.shutdown()
    assert broadcaster.failed == 1
    assert any("could not write event" in r.getMessage() for r in caplog.records)
    assert events_about(cs, cm.metadata.name) == []


@requires_kubectl
def test_core_v1_fallback_and_kubectl_events(
    cs: Clientset, server: TestApiServer, tmp_path: Path
) -> None:
    cm = config_map(cs, f"fallback-{uuid.uuid4().hex[:6]}")
    # The server answers as one that does not serve events.k8s.io/v1.
    server.faults.respond(404, times=None, path_prefix="/apis/events.k8s.io/")
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller", "replica-a")
    recorder.eventf(cm, None, "Warning", "DiskSlow", "Provision", "disk took %ds", 40)
    assert broadcaster.flush(10)
    recorder.eventf(cm, None, "Warning", "DiskSlow", "Provision", "disk took %ds", 40)
    broadcaster.shutdown()
    server.faults.clear()
    assert broadcaster.api == "v1"
    (event,) = core_events_about(cs, cm.metadata.name)
    assert event.count == 2
    assert event.message == "disk took 40s"
    assert event.source.component == "vm-controller"
    assert event.involved_object.uid == cm.metadata.uid
    assert event.first_timestamp is not None and event.last_timestamp is not None
    shown = kubectl(server, tmp_path, "events", "-n", "default")
    line = next(row for row in shown.splitlines() if cm.metadata.name in row)
    assert "DiskSlow" in line and "disk took 40s" in line and "Warning" in line
    assert f"configmap/{cm.metadata.name}" in line.lower()


@requires_kubectl
def test_kubectl_lists_events_k8s_io_events(
    cs: Clientset, server: TestApiServer, tmp_path: Path
) -> None:
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    broadcaster.new_recorder("vm-controller").eventf(cm, None, "Normal", "Made", "Create", "ok")
    broadcaster.shutdown()
    # The test server's table for this kind has only NAME and AGE: ask for the columns.
    columns = "custom-columns=NAME:.metadata.name,REASON:.reason,NOTE:.note,FOR:.regarding.name"
    shown = kubectl(
        server, tmp_path, "get", "events.v1.events.k8s.io", "-n", "default", "-o", columns
    )
    assert any(
        row.split()[1:] == ["Made", "ok", cm.metadata.name] for row in shown.splitlines()
    ), shown


def test_connection_failures_are_retried_then_given_up(
    server: TestApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = load_config(server.kubeconfig_path)
    dead = Clientset.from_config(dataclasses.replace(config, host=f"http://127.0.0.1:{port}"))
    broadcaster = EventBroadcaster(dead, max_tries=3, retry_interval=0.05)
    broadcaster.start_recording_to_sink()
    regarding = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "default"},
    }
    with caplog.at_level(logging.INFO, logger="kubecore.runtime.events"):
        broadcaster.new_recorder("vm-controller").eventf(regarding, None, "Normal", "R", "A", "n")
        broadcaster.shutdown(timeout=20)
    assert broadcaster.failed == 1
    assert sum("retrying event write" in r.getMessage() for r in caplog.records) == 2
    assert any("gave up writing event" in r.getMessage() for r in caplog.records)


def test_one_stored_event_served_through_both_apis(cs: Clientset) -> None:
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("example.com/vm-controller", "replica-a")
    recorder.eventf(cm, None, "Warning", "Slow", "Provision", "took %ds", 3)
    broadcaster.shutdown()
    (new,) = events_about(cs, cm.metadata.name)
    (core,) = core_events_about(cs, cm.metadata.name)
    assert core.metadata.name == new.metadata.name and core.metadata.uid == new.metadata.uid
    assert core.message == "took 3s" and core.reason == "Slow" and core.type == "Warning"
    assert core.involved_object.uid == cm.metadata.uid
    assert core.reporting_component == "example.com/vm-controller"
    assert core.reporting_instance == "replica-a"
    # A core/v1 write reads back through events.k8s.io/v1 converted.
    core.message = "took 4s"
    core.count = 7
    cs.core_v1.events("default").update(core)
    (again,) = events_about(cs, cm.metadata.name)
    assert again.note == "took 4s" and again.deprecated_count == 7
    assert again.regarding.name == cm.metadata.name


def test_event_field_selectors_per_api(cs: Clientset) -> None:
    cm, other = config_map(cs), config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller")
    recorder.eventf(cm, None, "Normal", "Made", "Create", "ok")
    recorder.eventf(other, None, "Warning", "Broke", "Create", "no")
    broadcaster.shutdown()
    core = cs.core_v1.events("default").list(
        field_selector=f"involvedObject.name={cm.metadata.name},involvedObject.kind=ConfigMap,"
        f"involvedObject.uid={cm.metadata.uid},type=Normal,source=vm-controller"
    )
    assert [e.involved_object.name for e in core.items] == [cm.metadata.name]
    new = cs.events_v1.events("default").list(
        field_selector=f"regarding.name={other.metadata.name},reportingController=vm-controller"
    )
    assert [e.regarding.name for e in new.items] == [other.metadata.name]
    with pytest.raises(ApiError) as caught:
        cs.events_v1.events("default").list(field_selector="involvedObject.name=x")
    assert caught.value.status == 400
    assert "field label not supported: involvedObject.name" in str(caught.value)


@requires_kubectl
def test_kubectl_describe_and_events_show_events_k8s_io_events(
    cs: Clientset, server: TestApiServer, tmp_path: Path
) -> None:
    cm = config_map(cs, f"described-{uuid.uuid4().hex[:6]}")
    unrelated = config_map(cs)
    broadcaster = EventBroadcaster(cs)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("vm-controller", "replica-a")
    recorder.eventf(cm, None, "Normal", "Provisioned", "Provision", "disk %s ready", "d1")
    recorder.eventf(unrelated, None, "Normal", "Elsewhere", "Provision", "other object")
    broadcaster.shutdown()
    assert broadcaster.api == "events.k8s.io/v1"
    described = kubectl(server, tmp_path, "describe", "configmap", cm.metadata.name)
    events_part = described.split("Events:", 1)[1]
    assert "Provisioned" in events_part and "disk d1 ready" in events_part
    assert "vm-controller" in events_part and "Elsewhere" not in events_part
    shown = kubectl(server, tmp_path, "events", "--for", f"configmap/{cm.metadata.name}")
    rows = [row for row in shown.splitlines()[1:] if row.strip()]
    assert len(rows) == 1, shown
    assert "Provisioned" in rows[0] and "disk d1 ready" in rows[0]


@pytest.mark.parametrize("api", ["events.k8s.io/v1", "v1"])
def test_the_server_refuses_what_kube_apiserver_event_validation_refuses(
    cs: Clientset, api: str
) -> None:
    """QA: a 129-byte reason was stored by the test server, while kube-apiserver's
    ``legacyValidateEvent`` (Go code, not in the OpenAPI schema) refuses it with 422, so a
    controller's event vanished only on a real cluster. The recorder drops it, as there."""
    cm = config_map(cs)
    broadcaster = EventBroadcaster(cs, api=api)
    broadcaster.start_recording_to_sink()
    recorder = broadcaster.new_recorder("example.com/vm-controller", "replica-a")
    recorder.eventf(cm, None, "Normal", "R" * 128, "Sync", "fits")
    recorder.eventf(cm, None, "Normal", "R" * 129, "Sync", "too long a reason")
    recorder.eventf(cm, None, "Normal", "Ok", "A" * 129, "too long an action")
    broadcaster.shutdown()
    notes = sorted(e.message for e in core_events_about(cs, cm.metadata.name))
    if api == "v1":  # the legacy shape has no eventTime: the limits do not apply there
        assert broadcaster.failed == 0 and len(notes) == 3
        return
    assert broadcaster.failed == 2
    assert notes == ["fits"]
