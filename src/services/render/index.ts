// Public surface of the slice renderer used by the image endpoint.
export {
  applyWindow,
  percentileWindow,
  resolveWindow,
  type DisplayWindow,
  type ResolvedWindow,
  type WindowRequest,
} from './display-window.js';
export { readDisplayFrame, type DisplayFrame } from './display-frame.js';
export { renderFramePng, MAX_SCALE, type RenderRequest } from './instance-png.js';
export { loadOverlay, ROI_MM, type Overlay, type OverlayRequest } from './instance-overlay.js';
export { MARK_COLOURS, overlaySvg, type MarkKind, type OverlayMark, type RoiBox } from './overlay.js';
export { renderInstanceImage, type InstanceImage, type InstanceImageRequest } from './instance-image.js';
