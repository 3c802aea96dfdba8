"""spinegraph's PyTorch trainer: tensors + request JSON in, ONNX models + manifests + JSON-lines progress out.

The file formats it reads and writes are specified in docs/training-format.md (format version 1).
"""

FORMAT_VERSION = 1
