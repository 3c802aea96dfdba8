"""The 9th-place solution's networks (rsna2024/model/model.py on smp 0.3.3 and timm 0.9.2), written out in plain
PyTorch + torchvision so that neither smp nor timm is needed: same module names, same parameter and buffer shapes
(a seed `state_dict()` loads strictly), same arithmetic. The importer (spinetrainer.import_seed) and the trainer's
`full` config both build them from here.
"""
