// GET /studies/:studyId/instances/:instanceId.png end to end over HTTP: a real DICOM file, an embedded database,
// the PNG decoded again with sharp and its pixels checked where the marks and windows must put them.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageRoutes } from '../../../src/http/image-routes.js';
import { applyWindow, MARK_COLOURS, percentileWindow } from '../../../src/services/render/index.js';
import {
  COLUMNS,
  createRenderFixture,
  FILE_WINDOW,
  LABEL_POINT,
  MANUAL_POINT,
  MODEL_A_POINT,
  MODEL_B_POINT,
  pixelValue,
  ROWS,
  type RenderFixture,
} from '../../unit/render/support/render-fixture.js';

let fixture: RenderFixture;
let server: Server;
let base: string;

beforeAll(async () => {
  fixture = await createRenderFixture();
  const app = express();
  app.use(imageRoutes(fixture.db));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await fixture?.close();
});

interface Decoded {
  width: number;
  height: number;
  channels: number;
  at(x: number, y: number): number[];
}

async function fetchPng(path: string): Promise<{ res: Response; image: Decoded }> {
  const res = await fetch(base + path);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = Buffer.from(await res.arrayBuffer());
  // Channels as encoded in the PNG (raw() output is always expanded to sRGB).
  const { channels } = await sharp(png).metadata();
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): number[] =>
    Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels));
  return { res, image: { width: info.width, height: info.height, channels: channels ?? 0, at } };
}

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const url = (instanceId: string, query = ''): string => `/studies/${fixture.studyId}/instances/${instanceId}.png${query}`;
const grey = (value: number, window: { centre: number; width: number }): number => applyWindow(Float32Array.of(value), window)[0];

describe('instance PNG', () => {
  it("renders at the frame's size with the file's window when there are no marks", async () => {
    const { res, image } = await fetchPng(url(fixture.instanceId, '?keypoints=0'));
    expect([image.width, image.height]).toEqual([COLUMNS, ROWS]);
    expect(image.channels).toBe(1);
    for (const x of [0, 10, 49, 50, 75, 95]) expect(image.at(x, 5)[0]).toBe(grey(pixelValue(x, 5), FILE_WINDOW));
    expect(res.headers.get('x-window')).toBe('500,1000;dicom');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
  });

  it("draws the active set's model keypoint and the manual correction in their colours at their pixels, nothing from other instances", async () => {
    const { image } = await fetchPng(url(fixture.instanceId));
    expect([image.width, image.height, image.channels]).toEqual([COLUMNS, ROWS, 3]);
    expect(image.at(MODEL_A_POINT.x, MODEL_A_POINT.y)).toEqual(rgb(MARK_COLOURS.model));
    expect(image.at(MANUAL_POINT.x, MANUAL_POINT.y)).toEqual(rgb(MARK_COLOURS.manual));
    // Model set B is not active: its keypoint's pixel keeps the image's grey.
    const g = grey(pixelValue(MODEL_B_POINT.x, MODEL_B_POINT.y), FILE_WINDOW);
    expect(image.at(MODEL_B_POINT.x, MODEL_B_POINT.y)).toEqual([g, g, g]);
    // Far from every mark the image is untouched grey.
    expect(image.at(90, 60)).toEqual(Array(3).fill(grey(pixelValue(90, 60), FILE_WINDOW)));
  });

  it("shows the chosen model set's keypoints with modelSetId, and the labelled coordinate with labels=1", async () => {
    const { image } = await fetchPng(url(fixture.instanceId, `?modelSetId=${fixture.modelSetB}&labels=1`));
    expect(image.at(MODEL_B_POINT.x, MODEL_B_POINT.y)).toEqual(rgb(MARK_COLOURS.model));
    const g = grey(pixelValue(MODEL_A_POINT.x, MODEL_A_POINT.y), FILE_WINDOW);
    expect(image.at(MODEL_A_POINT.x, MODEL_A_POINT.y)).toEqual([g, g, g]);
    expect(image.at(MANUAL_POINT.x, MANUAL_POINT.y)).toEqual(rgb(MARK_COLOURS.manual));
    // The label is a hollow square of half-side 5 px: its edge is green, its centre keeps the grey.
    expect(image.at(LABEL_POINT.x - 5, LABEL_POINT.y)).toEqual(rgb(MARK_COLOURS.label));
    const lg = grey(pixelValue(LABEL_POINT.x, LABEL_POINT.y), FILE_WINDOW);
    expect(image.at(LABEL_POINT.x, LABEL_POINT.y)).toEqual([lg, lg, lg]);
  });

  it('draws a 50 mm ROI box around each keypoint with rois=1, sized by the pixel spacing', async () => {
    const { image } = await fetchPng(url(fixture.instanceId, '?rois=1&keypoints=0'));
    const yellow = rgb(MARK_COLOURS.roi);
    const isYellow = (x: number, y: number): boolean => image.at(x, y).every((v, i) => Math.abs(v - yellow[i]) <= 40);
    // Around MODEL_A (30, 20): 50 mm = 50 columns x 40 rows -> left edge at column 5, right at 55, bottom at row 40.
    const column = (x: number): number => Array.from({ length: 36 }, (_, i) => 2 + i).filter((y) => isYellow(x, y)).length;
    expect(column(5)).toBeGreaterThan(15); // dashed: 4 on, 3 off
    expect(column(55)).toBeGreaterThan(15);
    expect(column(2)).toBe(0);
    expect(column(30)).toBe(0);
    const row = (y: number, from = 7, to = 52): number =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((x) => isYellow(x, y)).length;
    expect(row(40)).toBeGreaterThan(15);
    expect(row(30, 7, 40)).toBe(0);
    // The manual correction (70, 40) has its own box: left edge at column 45, top edge at row 20.
    expect(column(45)).toBeGreaterThan(5); // rows 20..37 of the range checked
    expect(row(20, 47, 93)).toBeGreaterThan(15);
    // keypoints=0: no mark at the keypoint itself.
    const g = grey(pixelValue(MODEL_A_POINT.x, MODEL_A_POINT.y), FILE_WINDOW);
    expect(image.at(MODEL_A_POINT.x, MODEL_A_POINT.y)).toEqual([g, g, g]);
  });

  it('windows by percentiles 1-99 with window=auto, and by the given centre,width', async () => {
    const ramp = Float32Array.from({ length: ROWS * COLUMNS }, (_, i) => pixelValue(i % COLUMNS, 0));
    const auto = percentileWindow(ramp);
    const { res, image } = await fetchPng(url(fixture.instanceId, '?keypoints=0&window=auto'));
    expect(res.headers.get('x-window')).toMatch(/;percentile$/);
    for (const x of [0, 1, 2, 40, 93, 94, 95]) expect(image.at(x, 3)[0]).toBe(grey(pixelValue(x, 3), auto));
    expect(image.at(0, 0)[0]).toBe(0);
    expect(image.at(95, 0)[0]).toBe(255);
    const explicit = await fetchPng(url(fixture.instanceId, '?keypoints=0&window=200,100'));
    for (const x of [10, 15, 20, 25, 30]) expect(explicit.image.at(x, 3)[0]).toBe(grey(pixelValue(x, 3), { centre: 200, width: 100 }));
  });

  it('falls back to percentiles when the file carries no window', async () => {
    const { res } = await fetchPng(url(fixture.plainInstanceId, '?keypoints=0'));
    expect(res.headers.get('x-window')).toMatch(/;percentile$/);
  });

  it('enlarges with scale, keeping marks on their pixels and the grey levels in place', async () => {
    const { image } = await fetchPng(url(fixture.instanceId, '?scale=3'));
    expect([image.width, image.height]).toEqual([COLUMNS * 3, ROWS * 3]);
    // The centre of each enlarged source pixel keeps that pixel's grey (a ramp survives cubic interpolation).
    for (const [x, y] of [
      [5, 2],
      [40, 30],
      [90, 60],
    ]) {
      const g = grey(pixelValue(x, y), FILE_WINDOW);
      for (const v of image.at(x * 3 + 1, y * 3 + 1)) expect(Math.abs(v - g)).toBeLessThanOrEqual(1);
    }
    expect(image.at(MODEL_A_POINT.x * 3 + 1, MODEL_A_POINT.y * 3 + 1)).toEqual(rgb(MARK_COLOURS.model));
    expect(image.at(MANUAL_POINT.x * 3 + 1, MANUAL_POINT.y * 3 + 1)).toEqual(rgb(MARK_COLOURS.manual));
  });
});

describe('instance PNG errors', () => {
  const errorOf = async (path: string): Promise<{ status: number; code: string; message: string }> => {
    const res = await fetch(base + path);
    const body = (await res.json()) as { error: { code: string; message: string } };
    return { status: res.status, ...body.error };
  };

  it('answers 404 for an unknown instance, an instance of another study, and ids that are not UUIDs', async () => {
    expect(await errorOf(url('00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(await errorOf(`/studies/${fixture.otherStudyId}/instances/${fixture.instanceId}.png`)).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await errorOf(`/studies/nope/instances/${fixture.instanceId}.png`)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 404 when the file behind an instance has gone', async () => {
    const e = await errorOf(url(fixture.missingFileInstanceId));
    expect(e).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(e.message).toMatch(/no longer at its storage location/);
  });

  it('answers 400 naming the bad parameter', async () => {
    expect(await errorOf(url(fixture.instanceId, '?window=bright'))).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/^window/),
    });
    expect(await errorOf(url(fixture.instanceId, '?scale=9'))).toMatchObject({ status: 400, message: expect.stringMatching(/^scale/) });
    expect(await errorOf(url(fixture.instanceId, '?rois=yes'))).toMatchObject({ status: 400, message: expect.stringMatching(/^rois/) });
    expect(await errorOf(url(fixture.instanceId, '?modelSetId=x'))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^modelSetId/),
    });
  });
});
