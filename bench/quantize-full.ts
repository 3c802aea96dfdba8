// `npm run bench -- quantize-full`: the int8 copy of the full-size random-weight architectures against fp32 (bench/quantize.ts).
export { runFull as run } from './quantize.js';
