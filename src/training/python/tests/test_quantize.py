"""The QDQ rewrite on a small graph: Conv -> Relu -> Conv -> Relu -> Gemm (logits)."""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from spinetrainer import quantize as q


def tiny_model() -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.normal(size=(4, 1, 3, 3)).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.normal(size=(4,)).astype(np.float32), "b1"),
        numpy_helper.from_array(rng.normal(size=(6, 4, 3, 3)).astype(np.float32) * np.arange(1, 7, dtype=np.float32).reshape(6, 1, 1, 1), "w2"),
        numpy_helper.from_array(rng.normal(size=(6,)).astype(np.float32), "b2"),
        numpy_helper.from_array(rng.normal(size=(3, 6)).astype(np.float32), "wg"),
        numpy_helper.from_array(rng.normal(size=(3,)).astype(np.float32), "bg"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("GlobalAveragePool", ["r2"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wg", "bg"], ["logits"], name="head", transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_plan_absorbs_relus_and_keeps_the_output_layer_float() -> None:
    p = q.plan(tiny_model())
    assert [layer["node"] for layer in p["layers"]] == ["conv1", "conv2"]
    assert [layer["absorbedRelu"] for layer in p["layers"]] == ["relu1", "relu2"]
    assert p["keptFloat"] == ["head"]
    assert p["tensors"] == ["x", "r1", "r2"]
    assert q.plan(tiny_model(), keep_float="^conv2$")["keptFloat"] == ["conv2", "head"]


def test_prepare_exposes_every_planned_tensor_as_an_output() -> None:
    calib, p = q.prepare(tiny_model())
    assert [o.name for o in calib.graph.output] == ["logits", "x", "r1", "r2"]
    assert all(o.type.tensor_type.elem_type == TensorProto.FLOAT for o in calib.graph.output)
    assert len(calib.graph.node) == len(tiny_model().graph.node)


def test_apply_writes_per_channel_int8_weights_int32_biases_and_a_valid_graph() -> None:
    model = tiny_model()
    ranges = {"x": [-2.0, 3.0], "r1": [0.0, 5.0], "r2": [0.0, 7.5]}
    out, report = q.apply(model, ranges)
    onnx.checker.check_model(out)
    inits = {t.name: numpy_helper.to_array(t) for t in out.graph.initializer}
    w2 = numpy_helper.to_array(next(t for t in model.graph.initializer if t.name == "w2"))
    assert inits["conv2_weight_quantized"].dtype == np.int8
    np.testing.assert_allclose(inits["conv2_weight_scale"], np.abs(w2).reshape(6, -1).max(axis=1) / 127, rtol=1e-6)
    assert np.abs(inits["conv2_weight_quantized"]).max() == 127
    np.testing.assert_allclose(inits["conv2_weight_quantized"] * inits["conv2_weight_scale"].reshape(6, 1, 1, 1), w2, atol=inits["conv2_weight_scale"].max() / 2 + 1e-7)
    assert inits["conv2_bias_quantized"].dtype == np.int32
    np.testing.assert_allclose(inits["conv2_bias_scale"], np.float32(5.0 / 255) * inits["conv2_weight_scale"], rtol=1e-6)
    # Relu output ranges start at 0: zero point 0, so the quantizer's clamp is the Relu.
    assert int(inits["r1_zero_point"]) == 0 and int(inits["r2_zero_point"]) == 0
    assert int(inits["x_zero_point"]) == round(2.0 / (5.0 / 255))
    ops = [n.op_type for n in out.graph.node]
    assert "Relu" not in ops and ops.count("Conv") == 2 and ops.count("Gemm") == 1
    assert report["quantizedLayers"] == {"Conv": 2} and report["absorbedRelus"] == 2 and report["keptFloat"] == ["head"]
    # The float pool reads the shared dequantized copy of the last quantized tensor.
    pool = next(n for n in out.graph.node if n.op_type == "GlobalAveragePool")
    assert pool.input[0] == "r2_dequantized"


def test_layers_sharing_one_constant_through_identity_get_their_own_quantized_copies() -> None:
    model = tiny_model()
    graph = model.graph
    # PyTorch's exporter shares equal constants through Identity nodes: conv2 reads b1 that way.
    graph.node.insert(0, helper.make_node("Identity", ["b1"], ["b1_shared"], name="share"))
    b2 = next(t for t in graph.initializer if t.name == "b2")
    b2.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(next(t for t in graph.initializer if t.name == "b1"))[:4], "b2"))
    conv2 = next(n for n in graph.node if n.name == "conv2")
    w2 = next(t for t in graph.initializer if t.name == "w2")
    w2.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(w2)[:4], "w2"))
    conv2.input[2] = "b1_shared"
    out, report = q.apply(model, {"x": [-2.0, 3.0], "r1": [0.0, 5.0], "r2": [0.0, 7.5]})
    onnx.checker.check_model(out)
    names = [t.name for t in out.graph.initializer]
    assert len(names) == len(set(names))
    assert "conv1_bias_quantized" in names and "conv2_bias_quantized" in names
    assert report["quantizedLayers"] == {"Conv": 2}


def test_apply_refuses_missing_ranges_and_non_finite_ones() -> None:
    with pytest.raises(q.QuantizeError, match="no calibration range"):
        q.apply(tiny_model(), {"x": [-1.0, 1.0]})
    with pytest.raises(q.QuantizeError, match="not finite"):
        q.apply(tiny_model(), {"x": [-1.0, float("inf")], "r1": [0.0, 1.0], "r2": [0.0, 1.0]})
