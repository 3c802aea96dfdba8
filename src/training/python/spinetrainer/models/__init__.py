"""Networks: DeepLabV3+ heatmap models and 2.5D ROI classifiers, built from torchvision parts."""
