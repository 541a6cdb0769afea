import { StrataError } from '@strata/errors';
import { ChunkTable } from './chunk-table.ts';
import type { LayerExpansion } from './expansion.ts';
import type { ImageInput, LayerReader } from './input.ts';
import { type LayerFacts, scanLayer } from './layer-scan.ts';
import { type AnalysisReport, type ImageFigures, dedupFigures, layerSummary } from './report.ts';

export interface AnalysisProgress {
  /** Stored layer bytes read so far. */
  bytesRead: number;
  /** Bytes expected in all (grows as manifests name more layers). */
  expectedBytes: number;
  /** What is being read. */
  label: string;
}

export interface AnalyzeOptions {
  signal?: AbortSignal;
  /** Reconstruction engine deciding which layers stay expanded; every layer counts as expanded without one. */
  expansion?: LayerExpansion;
  /** zstd level for the stored-bytes estimate; the engine's default when absent. */
  zstdLevel?: number;
  onProgress?: (progress: AnalysisProgress) => void;
}

/**
 * Reads every layer of every image of the inputs once, in order, and
 * reports per image and in total how much they share: whole layers, file
 * contents, chunks at several average sizes with and without expansion,
 * and what strata would store. A layer named by several images or inputs
 * (by digest) is read once.
 */
export async function analyzeImages(inputs: readonly ImageInput[], options: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const table = new ChunkTable(options.zstdLevel);
  const byKey = new Map<string, LayerFacts>();
  const byDigest = new Map<string, LayerFacts>();
  const progress: AnalysisProgress = { bytesRead: 0, expectedBytes: 0, label: '' };
  const report = (): void => options.onProgress?.({ ...progress });

  const known = await Promise.all(inputs.map((input) => input.expectedBytes()));
  progress.expectedBytes = known.reduce<number>((total, bytes) => total + (bytes ?? 0), 0);

  const images: ImageFigures[] = [];
  const everyLayer: LayerFacts[] = [];
  for (const [i, input] of inputs.entries()) {
    const sizesKnown = known[i] !== undefined;
    const readLayer: LayerReader = async (key, body, expectedBytes) => {
      const cached = byKey.get(key);
      if (cached) return cached;
      if (!sizesKnown && expectedBytes !== undefined) progress.expectedBytes += expectedBytes;
      progress.label = key;
      report();
      let facts: LayerFacts;
      try {
        facts = await scanLayer(body(), table, {
          signal: options.signal,
          expansion: options.expansion,
          onBytes(bytes) {
            progress.bytesRead += bytes;
            report();
          },
        });
      } catch (error) {
        if (error instanceof StrataError) throw new StrataError(error.code, `${key}: ${error.message}`, { cause: error });
        throw error;
      }
      const same = byDigest.get(facts.digest) ?? facts;
      byDigest.set(facts.digest, same);
      byKey.set(key, same);
      return same;
    };
    for (const image of await input.read(readLayer, options.signal)) {
      const layers = image.layers.map((key) => byKey.get(key)!);
      everyLayer.push(...layers);
      images.push({ name: image.name, input: input.input, ...dedupFigures(layers, table) });
    }
  }

  return {
    images,
    total: dedupFigures(everyLayer, table),
    layers: [...byDigest.values()].map(layerSummary),
  };
}
