# Checked by mypy in tests/unit/test_client_typing.py; never executed.
from kubecore import load_config
from kubecore.client.dynamic import DynamicClient
from kubecore.core.options import DeletionPropagation, FieldValidation
from kubecore.core.unstructured import GroupVersionResource

cms = DynamicClient(load_config()).resource(GroupVersionResource("", "v1", "configmaps"))
cms.delete("x", propagation_policy="Foreground")
cms.delete_collection(propagation_policy=DeletionPropagation.ORPHAN)
cms.create({}, field_validation=FieldValidation.STRICT)
cms.update({}, field_validation="Warn")
cms.delete("x", propagation_policy="foreground")  # a typo: refused as by the typed clients
cms.create({}, field_validation="strict")
