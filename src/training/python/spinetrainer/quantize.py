"""Static int8 quantization of an exported model as a QDQ graph, in two steps around a calibration run.

There is no onnxruntime for Python here, so the activation ranges come from onnxruntime-node (the TypeScript side
runs the pipeline on real studies with the `prepare` model and records every listed tensor's min and max):

  python3 -m spinetrainer.quantize prepare --model M.onnx --out-model M.calib.onnx --plan plan.json
      lists the float tensors that need a range and writes M with each of them exposed as an extra graph output;
  python3 -m spinetrainer.quantize apply --model M.onnx --ranges ranges.json --out-model M.int8.onnx --report r.json
      rewrites M as QDQ: per-output-channel symmetric int8 weights, per-tensor asymmetric uint8 activations,
      int32 biases, QuantizeLinear/DequantizeLinear around every Conv, MatMul and Gemm with a constant weight.

onnxruntime fuses DequantizeLinear -> Conv -> QuantizeLinear into QLinearConv (and the MatMul/Gemm equivalents),
which run on the processor's int8 dot-product instructions (VNNI, AMX where present). uint8 activations with int8
weights is the pairing those instructions (u8 x s8) and onnxruntime's x86 kernels are built for.

Rules (all recorded in the report):
- A Conv whose only consumer is a Relu absorbs it: the Relu's output range (min 0) is the Conv's output range,
  and QuantizeLinear's clamp at the zero point is the Relu, exactly.
- A layer whose output reaches a graph output without passing another quantized layer (the keypoint head before
  its upsampling, the classifier's logits) stays float: its output is the model's answer, and a lone float-output
  QDQ Conv is not fused by onnxruntime (it would only add rounding).
- Ranges are min-max over every calibration sample, widened to include 0 so that 0.0 is exactly representable
  (zero padding, Relu).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QUANTIZED_OPS = ("Conv", "MatMul", "Gemm")
# Ops whose output does not depend on their input's values: a backwards walk from the outputs stops there.
SHAPE_ONLY_OPS = ("Shape", "Size")
ACTIVATION_QMAX = 255
WEIGHT_QMAX = 127
SCHEME = "int8-qdq-static"


class QuantizeError(RuntimeError):
    """The model or the ranges cannot be quantized as asked."""


def _initializers(graph: onnx.GraphProto) -> Dict[str, onnx.TensorProto]:
    """Initializers by name, and by the name of every Identity of one: PyTorch's exporter shares equal constants
    (e.g. the zero biases of freshly initialised layers) through Identity nodes."""
    inits = {t.name: t for t in graph.initializer}
    changed = True
    while changed:
        changed = False
        for n in graph.node:
            if n.op_type == "Identity" and n.input[0] in inits and n.output[0] not in inits:
                inits[n.output[0]] = inits[n.input[0]]
                changed = True
    return inits


def _consumers(graph: onnx.GraphProto) -> Dict[str, List[onnx.NodeProto]]:
    out: Dict[str, List[onnx.NodeProto]] = defaultdict(list)
    for n in graph.node:
        for i in n.input:
            if i:
                out[i].append(n)
    return out


def _producers(graph: onnx.GraphProto) -> Dict[str, onnx.NodeProto]:
    return {o: n for n in graph.node for o in n.output if o}


def _weight_axis(node: onnx.NodeProto, weight: np.ndarray) -> int:
    """The output-channel axis of the weight: Conv [M, C/g, k...] -> 0; Gemm B [K, N] -> 1, transB [N, K] -> 0;
    MatMul B [..., K, N] -> last."""
    if node.op_type == "Conv":
        return 0
    if node.op_type == "Gemm":
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    return weight.ndim - 1


def quantizable_nodes(model: onnx.ModelProto) -> List[onnx.NodeProto]:
    """Conv/MatMul/Gemm nodes whose weight (input 1) is a float initializer and whose activation is not."""
    inits = _initializers(model.graph)
    nodes = []
    for n in model.graph.node:
        if n.op_type not in QUANTIZED_OPS or len(n.input) < 2:
            continue
        w = inits.get(n.input[1])
        if w is None or w.data_type != TensorProto.FLOAT or n.input[0] in inits:
            continue
        if n.op_type == "Gemm" and any(a.name == "transA" and a.i for a in n.attribute):
            continue
        if n.op_type == "MatMul" and len(w.dims) != 2:
            continue
        nodes.append(n)
    return nodes


def output_layers(model: onnx.ModelProto, candidates: Sequence[onnx.NodeProto]) -> Set[str]:
    """Names of the candidate nodes whose output reaches a graph output without passing another candidate."""
    producers = _producers(model.graph)
    candidate_ids = {id(n) for n in candidates}
    inits = _initializers(model.graph)
    found: Set[str] = set()
    seen: Set[str] = set()
    stack = [o.name for o in model.graph.output]
    while stack:
        t = stack.pop()
        if t in seen or t in inits:
            continue
        seen.add(t)
        p = producers.get(t)
        if p is None or p.op_type in SHAPE_ONLY_OPS:
            continue
        if id(p) in candidate_ids:
            found.add(p.name or p.output[0])
            continue
        stack.extend(i for i in p.input if i)
    return found


def _topological(nodes: Sequence[onnx.NodeProto], available: Set[str]) -> List[onnx.NodeProto]:
    """Nodes in an order where every input is produced before it is read (stable: the given order where it can)."""
    ready = set(available) | {""}
    remaining = list(nodes)
    ordered: List[onnx.NodeProto] = []
    while remaining:
        rest = []
        for n in remaining:
            if all(i in ready for i in n.input):
                ordered.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(remaining):
            raise QuantizeError(f"cannot order the rewritten graph: {rest[0].name} waits for {[i for i in rest[0].input if i not in ready]}")
        remaining = rest
    return ordered


def _node_key(n: onnx.NodeProto) -> str:
    return n.name or n.output[0]


def plan(model: onnx.ModelProto, keep_float: str | None = None) -> Dict[str, object]:
    """Which nodes are quantized, which stay float (output layers, and names matching the `keep_float` regular
    expression), which Relus are absorbed, and the tensors needing a range."""
    graph = model.graph
    candidates = quantizable_nodes(model)
    kept_float = output_layers(model, candidates)
    if keep_float:
        pattern = re.compile(keep_float)
        kept_float |= {_node_key(n) for n in candidates if pattern.search(_node_key(n))}
    consumers = _consumers(graph)
    graph_outputs = {o.name for o in graph.output}
    layers = []
    tensors: List[str] = []
    for n in candidates:
        if _node_key(n) in kept_float:
            continue
        y = n.output[0]
        users = consumers.get(y, [])
        relu = users[0] if len(users) == 1 and users[0].op_type == "Relu" and y not in graph_outputs else None
        out = relu.output[0] if relu is not None else y
        layers.append({"node": _node_key(n), "op": n.op_type, "input": n.input[0], "output": out, "absorbedRelu": relu.name if relu is not None else None})
        for t in (n.input[0], out):
            if t not in tensors:
                tensors.append(t)
    return {"layers": layers, "keptFloat": sorted(kept_float), "tensors": tensors}


def prepare(model: onnx.ModelProto, keep_float: str | None = None) -> Tuple[onnx.ModelProto, Dict[str, object]]:
    """The model with every tensor of the plan exposed as a float graph output (for the calibration run)."""
    p = plan(model, keep_float)
    calib = onnx.ModelProto()
    calib.CopyFrom(model)
    existing = {o.name for o in calib.graph.output}
    for t in p["tensors"]:  # type: ignore[union-attr]
        if t not in existing:
            calib.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    return calib, p


def activation_params(lo: float, hi: float) -> Tuple[float, int]:
    """uint8 scale and zero point for a range, widened to include 0 (exactly representable)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if not np.isfinite(lo) or not np.isfinite(hi):
        raise QuantizeError(f"range [{lo}, {hi}] is not finite")
    if hi - lo < 1e-12:
        return 1.0, 0
    scale = (hi - lo) / ACTIVATION_QMAX
    zero = int(round(-lo / scale))
    return float(np.float32(scale)), max(0, min(ACTIVATION_QMAX, zero))


def weight_params(w: np.ndarray, axis: int) -> Tuple[np.ndarray, np.ndarray]:
    """Per-channel symmetric int8: scale_c = max|w_c| / 127, q = round(w / scale_c) in [-127, 127]."""
    moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    amax = np.abs(moved).max(axis=1).astype(np.float32)
    scale = np.where(amax > 0, amax / WEIGHT_QMAX, np.float32(1.0)).astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -WEIGHT_QMAX, WEIGHT_QMAX).astype(np.int8)
    return q, scale


def apply(model: onnx.ModelProto, ranges: Dict[str, Sequence[float]], keep_float: str | None = None) -> Tuple[onnx.ModelProto, Dict[str, object]]:
    p = plan(model, keep_float)
    missing = [t for t in p["tensors"] if t not in ranges]  # type: ignore[union-attr]
    if missing:
        raise QuantizeError(f"no calibration range for {len(missing)} tensor(s), e.g. {missing[:3]}")
    out = onnx.ModelProto()
    out.CopyFrom(model)
    graph = out.graph
    inits = _initializers(graph)
    by_key = {_node_key(n): n for n in graph.node}
    layers = p["layers"]  # type: ignore[assignment]
    absorbed = {layer["absorbedRelu"] for layer in layers if layer["absorbedRelu"]}  # type: ignore[index]
    quantized_nodes = {layer["node"] for layer in layers}  # type: ignore[index]

    params: Dict[str, Tuple[float, int]] = {}
    new_inits: List[onnx.TensorProto] = []
    q_nodes: List[onnx.NodeProto] = []

    def qparams(t: str) -> Tuple[str, str]:
        """Creates (once) the scale/zero-point initializers and the QuantizeLinear of tensor t."""
        if t not in params:
            lo, hi = ranges[t]
            params[t] = activation_params(lo, hi)
            s, z = params[t]
            new_inits.append(numpy_helper.from_array(np.array(s, dtype=np.float32), f"{t}_scale"))
            new_inits.append(numpy_helper.from_array(np.array(z, dtype=np.uint8), f"{t}_zero_point"))
            q_nodes.append(helper.make_node("QuantizeLinear", [t, f"{t}_scale", f"{t}_zero_point"], [f"{t}_quantized"], name=f"{t}_QuantizeLinear"))
        return f"{t}_scale", f"{t}_zero_point"

    for layer in layers:  # type: ignore[union-attr]
        qparams(layer["input"])  # type: ignore[index]
        qparams(layer["output"])  # type: ignore[index]

    # Every reader of a quantized tensor reads it through a DequantizeLinear: one per quantized layer (onnxruntime
    # fuses DQ -> op -> Q when the DQ feeds that op alone), one shared by all float readers and graph outputs.
    dq_nodes: List[onnx.NodeProto] = []
    shared_dq: Dict[str, str] = {}

    def dequantized(t: str, for_layer: str | None) -> str:
        s, z = f"{t}_scale", f"{t}_zero_point"
        if for_layer is None:
            if t not in shared_dq:
                shared_dq[t] = f"{t}_dequantized"
                dq_nodes.append(helper.make_node("DequantizeLinear", [f"{t}_quantized", s, z], [shared_dq[t]], name=f"{t}_DequantizeLinear"))
            return shared_dq[t]
        name = f"{t}_dequantized_for_{for_layer}"
        dq_nodes.append(helper.make_node("DequantizeLinear", [f"{t}_quantized", s, z], [name], name=f"{name}_DequantizeLinear"))
        return name

    counts: Counter = Counter()
    body: List[onnx.NodeProto] = []
    for n in graph.node:
        if n.name in absorbed and n.op_type == "Relu":
            continue
        key = _node_key(n)
        if key in quantized_nodes:
            layer = next(x for x in layers if x["node"] == key)  # type: ignore[index]
            x = layer["input"]  # type: ignore[index]
            x_scale = params[x][0]
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
            axis = _weight_axis(n, w)
            wq, ws = weight_params(w, axis)
            # Named per layer: the exporter may share one constant between layers that need different scales.
            wname = f"{key}_weight"
            new_inits.append(numpy_helper.from_array(wq, f"{wname}_quantized"))
            new_inits.append(numpy_helper.from_array(ws, f"{wname}_scale"))
            new_inits.append(numpy_helper.from_array(np.zeros(ws.shape, dtype=np.int8), f"{wname}_zero_point"))
            dq_nodes.append(
                helper.make_node("DequantizeLinear", [f"{wname}_quantized", f"{wname}_scale", f"{wname}_zero_point"], [f"{wname}_dequantized_for_{key}"], name=f"{wname}_{key}_DequantizeLinear", axis=axis)
            )
            inputs = [dequantized(x, key), f"{wname}_dequantized_for_{key}"]
            if len(n.input) > 2 and n.input[2]:
                b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float64)
                if b.shape != ws.shape:
                    raise QuantizeError(f"{key}: bias of shape {b.shape} for {ws.shape[0]} output channels")
                bscale = (x_scale * ws.astype(np.float64)).astype(np.float32)
                bq = np.round(b / bscale).astype(np.int64)
                if np.abs(bq).max(initial=0) >= 2 ** 31:
                    raise QuantizeError(f"{key}: bias does not fit int32 at scale {bscale.min()}")
                bname = f"{key}_bias"
                new_inits.append(numpy_helper.from_array(bq.astype(np.int32), f"{bname}_quantized"))
                new_inits.append(numpy_helper.from_array(bscale, f"{bname}_scale"))
                new_inits.append(numpy_helper.from_array(np.zeros(bscale.shape, dtype=np.int32), f"{bname}_zero_point"))
                dq_nodes.append(
                    helper.make_node("DequantizeLinear", [f"{bname}_quantized", f"{bname}_scale", f"{bname}_zero_point"], [f"{bname}_dequantized_for_{key}"], name=f"{bname}_{key}_DequantizeLinear", axis=0)
                )
                inputs.append(f"{bname}_dequantized_for_{key}")
            elif n.op_type == "Gemm" and len(n.input) > 2:
                inputs.append(n.input[2])
            q = helper.make_node(n.op_type, inputs, [layer["output"]], name=n.name)  # type: ignore[index]
            q.attribute.extend(n.attribute)
            body.append(q)
            counts[n.op_type] += 1
            continue
        body.append(n)

    # Float readers of quantized tensors read the shared dequantized copy.
    quantized_tensors = set(params)
    graph_outputs = {o.name for o in graph.output}
    for n in body:
        if _node_key(n) in quantized_nodes:
            continue
        for i, t in enumerate(n.input):
            if t in quantized_tensors:
                n.input[i] = dequantized(t, None)
    bad = quantized_tensors & graph_outputs
    if bad:
        raise QuantizeError(f"graph outputs {sorted(bad)} would be quantized")

    ordered = _topological(body + q_nodes + dq_nodes, {i.name for i in graph.input} | {t.name for t in graph.initializer} | {t.name for t in new_inits})
    del graph.node[:]
    graph.node.extend(ordered)
    used = {i for n in graph.node for i in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    graph.initializer.extend(new_inits)
    onnx.checker.check_model(out)
    report = {
        "scheme": SCHEME,
        "weights": "int8, symmetric, per output channel",
        "activations": "uint8, asymmetric, per tensor; min-max over the calibration samples, widened to include 0",
        "biases": "int32 at input scale x weight scale",
        "quantizedLayers": dict(counts),
        "absorbedRelus": len(absorbed),
        "keptFloat": p["keptFloat"],
        "tensorsQuantized": len(quantized_tensors),
    }
    return out, report


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="spinetrainer.quantize", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="step", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("--model", required=True, type=Path)
    pp.add_argument("--out-model", required=True, type=Path)
    pp.add_argument("--plan", required=True, type=Path)
    pp.add_argument("--keep-float", default=None, help="regular expression: layers whose node name matches stay float")
    pa = sub.add_parser("apply")
    pa.add_argument("--model", required=True, type=Path)
    pa.add_argument("--ranges", required=True, type=Path)
    pa.add_argument("--out-model", required=True, type=Path)
    pa.add_argument("--report", required=True, type=Path)
    pa.add_argument("--keep-float", default=None, help="the same expression as for prepare")
    args = ap.parse_args(argv)
    try:
        model = onnx.load(str(args.model))
        if args.step == "prepare":
            calib, p = prepare(model, args.keep_float)
            onnx.save(calib, str(args.out_model))
            args.plan.write_text(json.dumps(p, indent=2))
        else:
            ranges = json.loads(args.ranges.read_text())
            q, report = apply(model, ranges, args.keep_float)
            onnx.save(q, str(args.out_model))
            args.report.write_text(json.dumps(report, indent=2))
    except (QuantizeError, OSError, ValueError, onnx.checker.ValidationError) as e:
        print(f"quantize {args.step} {args.model.name}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
